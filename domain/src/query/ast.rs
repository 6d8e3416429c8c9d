use std::fmt;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    Eq,
    Ne,
    Contains,
    Gt,
    Lt,
    Ge,
    Le,
}

impl Op {
    /// Every operator, longest spelling first so that `!=` wins over `=`.
    pub const ALL: [Op; 7] = [Op::Ne, Op::Ge, Op::Le, Op::Eq, Op::Contains, Op::Gt, Op::Lt];

    pub fn symbol(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Contains => "~",
            Op::Gt => ">",
            Op::Lt => "<",
            Op::Ge => ">=",
            Op::Le => "<=",
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

/// A boolean expression over leaves of type `C`.
///
/// `And` and `Or` always hold two or more children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr<C> {
    And(Vec<Expr<C>>),
    Or(Vec<Expr<C>>),
    Leaf(C),
}

impl<C> Expr<C> {
    /// Converts every leaf, stopping at the first failure.
    pub fn try_map<D, E>(self, f: &mut impl FnMut(C) -> Result<D, E>) -> Result<Expr<D>, E> {
        Ok(match self {
            Expr::And(children) => Expr::And(Self::try_map_all(children, f)?),
            Expr::Or(children) => Expr::Or(Self::try_map_all(children, f)?),
            Expr::Leaf(leaf) => Expr::Leaf(f(leaf)?),
        })
    }

    fn try_map_all<D, E>(
        children: Vec<Expr<C>>,
        f: &mut impl FnMut(C) -> Result<D, E>,
    ) -> Result<Vec<Expr<D>>, E> {
        children.into_iter().map(|c| c.try_map(f)).collect()
    }

    /// Both expressions must hold; either may be absent.
    pub fn and(left: Option<Self>, right: Option<Self>) -> Option<Self> {
        match (left, right) {
            (Some(l), Some(r)) => Some(Expr::And(vec![l, r])),
            (l, r) => l.or(r),
        }
    }
}

/// A comparison as written, before its property is resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawComparison {
    pub property: String,
    pub op: Op,
    pub value: String,
}

/// Writes the canonical form: every value quoted, every group braced.
impl fmt::Display for Expr<RawComparison> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (children, joiner) = match self {
            Expr::Leaf(c) => {
                let escaped = c.value.replace('\\', "\\\\").replace('"', "\\\"");
                return write!(f, "{}{}\"{}\"", c.property, c.op, escaped);
            }
            Expr::And(children) => (children, "&&"),
            Expr::Or(children) => (children, "||"),
        };
        for (i, child) in children.iter().enumerate() {
            if i > 0 {
                f.write_str(joiner)?;
            }
            match child {
                Expr::Leaf(_) => write!(f, "{child}")?,
                _ => write!(f, "{{{child}}}")?,
            }
        }
        Ok(())
    }
}
