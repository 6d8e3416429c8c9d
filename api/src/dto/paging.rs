use domain::paging::Page;
use serde::Serialize;
use utoipa::ToSchema;

/// A hypertext reference, relative to the service root.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HalRef {
    #[schema(example = "/companies?page=1&pageSize=100")]
    pub href: String,
}

/// Links to this and neighbouring pages.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Links {
    #[serde(rename = "self")]
    pub self_: HalRef,
    pub current: HalRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<HalRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<HalRef>,
}

/// Paging facts that accompany `results`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PagingInfo {
    pub page_number: u32,
    pub page_size: u32,
    pub total_results: u64,
    #[serde(rename = "_links")]
    pub links: Links,
}

impl PagingInfo {
    /// Builds the paging facts and links of `page`, served at `path`. The
    /// links keep the caller's other query parameters (filters, order) as sent.
    pub fn of<T>(page: &Page<T>, path: &str, query_string: &str) -> Self {
        let extra: String = query_string
            .split('&')
            .filter(|pair| {
                let name = pair.split('=').next().unwrap_or_default();
                !pair.is_empty() && name != "page" && name != "pageSize"
            })
            .map(|pair| format!("&{pair}"))
            .collect();
        let size = page.request.page_size();
        let link = |number: u32| HalRef {
            href: format!("{path}?page={number}&pageSize={size}{extra}"),
        };
        let number = page.request.page();
        Self {
            page_number: number,
            page_size: size,
            total_results: page.total,
            links: Links {
                self_: HalRef {
                    href: path.to_owned(),
                },
                current: link(number),
                next: page.has_next().then(|| link(number + 1)),
                previous: page.has_previous().then(|| link(number - 1)),
            },
        }
    }
}
