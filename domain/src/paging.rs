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
    pub request: PageRequest,
}

impl<T> Page<T> {
    /// Whether a page after this one holds anything.
    pub fn has_next(&self) -> bool {
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
