//! Every operation the OpenAPI document describes, by path pattern and
//! method: what the fallback answers 404 or 405 from, and what the limits
//! key on, so neither can disagree with what is served.

use actix_web::dev::ResourceDef;
use utoipa::openapi::OpenApi;

/// Every documented path pattern with its methods.
pub struct RouteTable(Vec<(ResourceDef, Vec<String>)>);

impl RouteTable {
    pub fn from_spec(spec: &OpenApi) -> Self {
        let routes = spec
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ];
                let allowed = methods
                    .iter()
                    .filter(|(_, on)| *on)
                    .map(|(m, _)| (*m).to_owned())
                    .collect();
                (ResourceDef::new(path.as_str()), allowed)
            })
            .collect();
        Self(routes)
    }

    /// Whether `method` on `path` is a documented operation.
    pub fn documents(&self, method: &str, path: &str) -> bool {
        self.0
            .iter()
            .any(|(def, methods)| def.is_match(path) && methods.iter().any(|m| m == method))
    }

    pub fn allowed(&self, path: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(def, _)| def.is_match(path))
            .flat_map(|(_, m)| m.clone())
            .collect()
    }
}
