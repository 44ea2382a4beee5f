//! Networks (`policies/networks.toml`, Pasal 5): named CIDR ranges of the city network, per OPD.
//! Levels may require a registered city network; routes may require particular networks.

use std::net::IpAddr;

use ipnet::IpNet;
use serde::Deserialize;
use toml::Spanned;

use super::error::{PolicyError, is_id, line_of};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    pub id: String,
    pub name: String,
    pub opd: Option<String>,
    pub cidrs: Vec<IpNet>,
    /// Counts as a registered city network for levels with `city_network = true`.
    pub city: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NetworkSpec {
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    opd: Option<String>,
    cidrs: Vec<String>,
    #[serde(default = "yes")]
    city: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NetworksFile {
    #[serde(default)]
    network: Vec<Spanned<NetworkSpec>>,
}

#[derive(Debug, Clone, Default)]
pub struct Networks {
    networks: Vec<Network>,
}

impl Networks {
    pub fn parse(text: &str, file: &str) -> Result<Networks, PolicyError> {
        let parsed: NetworksFile =
            toml::from_str(text).map_err(|e| PolicyError::Parse { file: file.into(), message: e.to_string() })?;
        let mut networks: Vec<Network> = Vec::new();
        for spanned in parsed.network {
            let line = line_of(text, spanned.span().start);
            let spec = spanned.into_inner();
            let err = |field, reason: String| PolicyError::Field {
                file: file.into(),
                line,
                kind: "network",
                id: spec.id.clone(),
                field,
                reason,
            };
            if !is_id(&spec.id) {
                return Err(err("id", "must be lowercase letters, digits, '-' or '_'".into()));
            }
            if networks.iter().any(|n| n.id == spec.id) {
                return Err(err("id", "defined twice".into()));
            }
            if spec.cidrs.is_empty() {
                return Err(err("cidrs", "at least one range is needed".into()));
            }
            let mut cidrs = Vec::new();
            for c in &spec.cidrs {
                let net = parse_cidr(c)
                    .ok_or_else(|| err("cidrs", format!("{c:?} is not a CIDR range (e.g. 10.1.0.0/16)")))?;
                // Pasal 5: the Dinas assigns each range once; an overlap is a registration mistake.
                if let Some(o) = cidrs.iter().find(|o| overlaps(o, &net)) {
                    return Err(err("cidrs", format!("{net} overlaps {o} of the same network")));
                }
                for other in &networks {
                    if let Some(o) = other.cidrs.iter().find(|o| overlaps(o, &net)) {
                        return Err(err("cidrs", format!("{net} overlaps {o} of network {:?}", other.id)));
                    }
                }
                cidrs.push(net);
            }
            networks.push(Network {
                name: if spec.name.is_empty() { spec.id.clone() } else { spec.name },
                id: spec.id,
                opd: spec.opd,
                cidrs,
                city: spec.city,
            });
        }
        Ok(Networks { networks })
    }

    /// Reads `dir/networks.toml`; a missing file means no networks.
    pub fn load(dir: &std::path::Path) -> Result<Networks, PolicyError> {
        let path = dir.join("networks.toml");
        match super::error::read_optional(&path)? {
            Some(text) => Networks::parse(&text, &path.display().to_string()),
            None => Ok(Networks::default()),
        }
    }

    /// Adds the networks of the admin register after those of the file: ids and ranges must
    /// not clash with the file's (or with each other; the register's service refuses that first).
    pub fn with_registered(mut self, registered: Vec<Network>, file: &str) -> Result<Networks, PolicyError> {
        for n in registered {
            let clash = |reason: String| PolicyError::Register {
                file: file.into(),
                line: 0,
                kind: "network",
                id: n.id.clone(),
                reason,
            };
            if self.get(&n.id).is_some() {
                return Err(clash("registered in the admin network register and in networks.toml".into()));
            }
            for net in &n.cidrs {
                if let Some((other, o)) = self.overlapping(net) {
                    return Err(clash(format!("{net} of the register overlaps {o} of network {other:?}")));
                }
            }
            self.networks.push(n);
        }
        Ok(self)
    }

    /// The network and range that `net` overlaps among `networks`, if any.
    pub fn overlapping_in<'a>(networks: &'a [Network], net: &IpNet) -> Option<(&'a str, IpNet)> {
        networks.iter().find_map(|n| n.cidrs.iter().find(|o| overlaps(o, net)).map(|o| (n.id.as_str(), *o)))
    }

    /// The network and range that `net` overlaps, if any.
    pub fn overlapping(&self, net: &IpNet) -> Option<(&str, IpNet)> {
        Networks::overlapping_in(&self.networks, net)
    }

    pub fn all(&self) -> &[Network] {
        &self.networks
    }

    pub fn get(&self, id: &str) -> Option<&Network> {
        self.networks.iter().find(|n| n.id == id)
    }

    /// Whether `ip` is inside a network marked as part of the city network.
    pub fn is_city(&self, ip: IpAddr) -> bool {
        self.networks.iter().any(|n| n.city && n.contains(ip))
    }
}

impl Network {
    /// A network of the admin register; ranges that do not parse (the service refuses them
    /// before they are stored) are skipped.
    pub fn from_record(r: &crate::store::NetworkRecord) -> Network {
        Network {
            id: r.id.clone(),
            name: r.name.clone(),
            opd: Some(r.opd_id.clone()),
            cidrs: r.cidrs.lines().filter_map(parse_cidr).collect(),
            city: r.city,
        }
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.cidrs.iter().any(|c| c.contains(&ip))
    }
}

/// An IPv4 client seen through an IPv6 socket (`::ffff:10.1.2.3`) is the IPv4 address.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// A CIDR range, or a single address as its /32 (/128).
pub fn parse_cidr(s: &str) -> Option<IpNet> {
    let s = s.trim();
    let net = s.parse::<IpNet>().ok().or_else(|| s.parse::<IpAddr>().ok().map(IpNet::from))?;
    // `10.1.2.3/16` is almost certainly a typo for `10.1.0.0/16`: refuse host bits.
    (net.network() == net.addr()).then_some(net)
}

fn overlaps(a: &IpNet, b: &IpNet) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_checks_and_matches() {
        let text = "[[network]]\nid = \"lan\"\ncidrs = [\"10.1.0.0/16\", \"192.168.5.7\"]\n\n[[network]]\nid = \"guest\"\ncity = false\ncidrs = [\"172.16.0.0/12\"]\n";
        let n = Networks::parse(text, "networks.toml").unwrap();
        assert!(n.is_city("10.1.200.3".parse().unwrap()));
        assert!(n.is_city("::ffff:10.1.0.1".parse().unwrap()), "IPv4-mapped IPv6 is the IPv4 address");
        assert!(n.is_city("192.168.5.7".parse().unwrap()));
        assert!(!n.is_city("192.168.5.8".parse().unwrap()));
        assert!(!n.is_city("172.16.0.1".parse().unwrap()), "guest is not a city network");
        assert!(n.get("guest").unwrap().contains("172.20.1.1".parse().unwrap()));
    }

    #[test]
    fn errors_name_file_line_and_field() {
        let overlap =
            "[[network]]\nid = \"a\"\ncidrs = [\"10.0.0.0/8\"]\n\n[[network]]\nid = \"b\"\ncidrs = [\"10.2.0.0/16\"]\n";
        let e = Networks::parse(overlap, "networks.toml").unwrap_err().to_string();
        assert!(e.starts_with("networks.toml:5: network \"b\": field `cidrs`") && e.contains("overlaps"), "{e}");
        let bad = "[[network]]\nid = \"a\"\ncidrs = [\"10.0.0.1/8\"]\n";
        assert!(Networks::parse(bad, "n.toml").unwrap_err().to_string().contains("not a CIDR"));
        let unknown = "[[network]]\nid = \"a\"\ncidr = [\"10.0.0.0/8\"]\n";
        let e = Networks::parse(unknown, "n.toml").unwrap_err().to_string();
        assert!(e.contains("line 3") && e.contains("cidr"), "{e}");
    }
}
