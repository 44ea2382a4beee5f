//! One consistent set of policies: levels, networks and routes read together from a directory,
//! so a route never refers to a level or network of another version.

use std::path::Path;

use super::error::{PolicyError, read_optional};
use super::level::Levels;
use super::network::Networks;
use super::route::Routes;

pub const FILES: &[&str] = &["levels.toml", "networks.toml", "routes.toml"];

#[derive(Debug, Clone)]
pub struct PolicySet {
    pub levels: Levels,
    pub networks: Networks,
    pub routes: Routes,
}

impl PolicySet {
    /// Reads `dir`. A missing `levels.toml` means the built-in levels; missing `networks.toml`
    /// or `routes.toml` mean none (and with no routes the gateway denies everything).
    pub fn load(dir: &Path) -> Result<PolicySet, PolicyError> {
        let levels = Levels::load(dir)?;
        let networks = match read_optional(&dir.join("networks.toml"))? {
            Some(text) => Networks::parse(&text, &dir.join("networks.toml").display().to_string())?,
            None => Networks::default(),
        };
        let routes = match read_optional(&dir.join("routes.toml"))? {
            Some(text) => Routes::parse(&text, &dir.join("routes.toml").display().to_string(), &levels, &networks)?,
            None => Routes::default(),
        };
        Ok(PolicySet { levels, networks, routes })
    }

    /// Built-in levels, no networks, no routes.
    pub fn empty() -> PolicySet {
        PolicySet {
            levels: Levels::builtin().expect("the built-in levels are valid"),
            networks: Networks::default(),
            routes: Routes::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_policies_load() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../policies");
        let set = PolicySet::load(&dir).unwrap();
        assert_eq!(set.levels.all().len(), 5);
        // The examples shipped beside them are valid too.
        let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
        let networks = Networks::parse(&read("networks.example.toml"), "networks.example.toml").unwrap();
        let routes =
            Routes::parse(&read("routes.example.toml"), "routes.example.toml", &set.levels, &networks).unwrap();
        assert_eq!(routes.hosts().len(), 7, "the seven applications of Pasal 9");
    }
}
