//! One consistent set of policies: levels, networks and routes read together from a directory,
//! so a route never refers to a level or network of another version.

use std::path::Path;

use super::domain::DomainRegister;
use super::error::{PolicyError, read_optional};
use super::level::Levels;
use super::network::{Network, Networks};
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
        PolicySet::load_with(dir, &Registered::default())
    }

    /// Reads `dir` together with the admin registers: the registered networks join those of
    /// `networks.toml`, and every route's host must be on a registered domain (when given).
    pub fn load_with(dir: &Path, registered: &Registered) -> Result<PolicySet, PolicyError> {
        let levels = Levels::load(dir)?;
        let networks_file = dir.join("networks.toml").display().to_string();
        let networks = Networks::load(dir)?.with_registered(registered.networks.clone(), &networks_file)?;
        let routes_file = dir.join("routes.toml").display().to_string();
        let routes = match read_optional(&dir.join("routes.toml"))? {
            Some(text) => Routes::parse(&text, &routes_file, &levels, &networks)?,
            None => Routes::default(),
        };
        if let Some(domains) = &registered.domains
            && let Some(route) = routes.all().iter().find(|r| !domains.covers(&r.host))
        {
            return Err(PolicyError::Register {
                file: routes_file,
                line: 0,
                kind: "route",
                id: route.id.clone(),
                reason: format!(
                    "host {} is not on a registered domain (Pasal 11); register it in the admin module first",
                    route.host
                ),
            });
        }
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

/// What the admin registers add to the policy files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Registered {
    pub networks: Vec<Network>,
    /// `None`: route hosts are not checked (no register at hand, e.g. `policy check` offline).
    pub domains: Option<DomainRegister>,
}

impl Registered {
    /// Reads the registers: networks, and the active domains (local names allowed when
    /// `allow_local`, i.e. in demo mode).
    pub async fn read(store: &crate::store::Store, allow_local: bool) -> Result<Registered, crate::store::StoreError> {
        use crate::store::RegisterStore;
        let mut db = store.conn().await?;
        let mut networks = Vec::new();
        let mut after = String::new();
        loop {
            let page = db.list_networks(&after, 500).await?;
            let Some(last) = page.last() else { break };
            after = last.id.clone();
            networks.extend(page.iter().map(Network::from_record));
        }
        let domains = DomainRegister::new(db.active_domain_names().await?, allow_local);
        Ok(Registered { networks, domains: Some(domains) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_policies_load() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../policies");
        let set = PolicySet::load(&dir).unwrap();
        assert_eq!(set.levels.all().len(), 6);
        // The examples shipped beside them are valid too.
        let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
        let networks = Networks::parse(&read("networks.example.toml"), "networks.example.toml").unwrap();
        let routes =
            Routes::parse(&read("routes.example.toml"), "routes.example.toml", &set.levels, &networks).unwrap();
        assert_eq!(routes.hosts().len(), 7, "the seven applications of Pasal 9");
    }
}
