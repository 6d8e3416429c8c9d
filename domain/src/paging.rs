//! Page requests and results, with the limits of the wire contract.

use crate::validation::{FieldError, ValidationErrors};

/// The page size used when the caller gives none.
pub const DEFAULT_PAGE_SIZE: u32 = 100;
/// The largest page a caller may ask for.
pub const MAX_PAGE_SIZE: u32 = 5000;

/// A validated request for one page: `page` counts from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    page: u32,
    page_size: u32,
}

impl PageRequest {
    /// Checks `page` ≥ 1 and `pageSize` in 1..=5000, applying the defaults for absent values.
    pub fn new(page: Option<i64>, page_size: Option<i64>) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let page = page.unwrap_or(1);
        let page_size = page_size.unwrap_or(i64::from(DEFAULT_PAGE_SIZE));
        if page < 1 || page > i64::from(i32::MAX) {
            errors.push(FieldError::new(
                "page",
                "Range",
                format!("page must be a whole number from 1 to {}.", i32::MAX),
            ));
        }
        if page_size < 1 || page_size > i64::from(MAX_PAGE_SIZE) {
            errors.push(FieldError::new(
                "pageSize",
                "Range",
                format!("pageSize must be a whole number from 1 to {MAX_PAGE_SIZE}."),
            ));
        }
        errors.into_result(Self {
            page: u32::try_from(page).unwrap_or(1),
            page_size: u32::try_from(page_size).unwrap_or(DEFAULT_PAGE_SIZE),
        })
    }

    pub fn page(&self) -> u32 {
        self.page
    }

    pub fn page_size(&self) -> u32 {
        self.page_size
    }

    /// How many rows come before this page.
    pub fn offset(&self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.page_size)
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            page: 1,
            page_size: DEFAULT_PAGE_SIZE,
        }
    }
}

/// One page of results and the total number of matches.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    /// Whether `total` is the planner's estimate rather than a count (see [`CountMode`]).
    pub total_is_estimate: bool,
    pub request: PageRequest,
}

/// How a list's `totalResults` is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CountMode {
    /// Every matching item is counted (Codat's contract, and the default).
    #[default]
    Exact,
    /// The store's estimate where it has one and the estimate is at least
    /// [`EXACT_COUNT_BELOW`]; below that, items are counted.
    Estimated,
}

/// Estimates smaller than this are replaced by an exact count, which is cheap there.
pub const EXACT_COUNT_BELOW: u64 = 10_000;

impl<T> Page<T> {
    /// Whether a page after this one holds anything. With an estimated total,
    /// a full page is taken to have a successor, so the links never stop early.
    pub fn has_next(&self) -> bool {
        if self.total_is_estimate {
            return self.items.len() as u64 == u64::from(self.request.page_size());
        }
        self.request.offset() + u64::from(self.request.page_size()) < self.total
    }

    /// Whether a page before this one exists.
    pub fn has_previous(&self) -> bool {
        self.request.page() > 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_estimated_total_does_not_decide_the_next_link() {
        let page = |items: usize, total| Page {
            items: vec![(); items],
            total,
            total_is_estimate: true,
            request: PageRequest::new(Some(3), Some(10)).unwrap(),
        };

        assert!(
            page(10, 25).has_next(),
            "a full page goes on, whatever the estimate"
        );
        assert!(!page(4, 90_000).has_next(), "a short page is the last");
    }

    #[test]
    fn defaults_apply_when_nothing_is_given() {
        let request = PageRequest::new(None, None).unwrap();

        assert_eq!(
            (request.page(), request.page_size(), request.offset()),
            (1, 100, 0)
        );
    }

    #[test]
    fn out_of_range_values_are_all_reported() {
        let errors = PageRequest::new(Some(0), Some(5001)).unwrap_err();

        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["page", "pageSize"]);
    }

    #[test]
    fn next_and_previous_follow_the_total() {
        let page = Page::<()> {
            items: vec![],
            total: 250,
            total_is_estimate: false,
            request: PageRequest::new(Some(2), Some(100)).unwrap(),
        };

        assert!(page.has_next() && page.has_previous());
        let last = Page::<()> {
            request: PageRequest::new(Some(3), Some(100)).unwrap(),
            ..page
        };
        assert!(!last.has_next());
    }
}
