//! The policy decision for one request: allow (and at which level), send through login or
//! step-up, or deny with a reason. Pure: the same inputs give the same answer in the reverse
//! proxy and in forward-auth mode.

use std::net::IpAddr;

use gerbang_core::policy::{AuthFacts, Level, Levels, PolicySet, Route, Subjects};

use crate::identity::Identity;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead; `level` is the highest level this request meets.
    Allow {
        level: String,
    },
    /// Nobody signed in: sign in, asking for the route's level.
    Login(StepUp),
    /// Signed in below the route's level: sign in again more strongly or more recently.
    StepUp(StepUp),
    Deny(Denied),
}

/// What to ask the provider for (`acr_values`, `max_age`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepUp {
    pub level: String,
    pub max_age: Option<i64>,
}

/// Why a request is refused; no sign-in can change it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denied {
    /// The route allows only some networks, and the request comes from elsewhere.
    Network { route: String },
    /// The level needs a registered city network.
    CityNetwork { level: String },
    /// The level is for ASN; this account is not one.
    NotAsn { level: String },
    /// Role, OPD or user conditions of the route.
    Subject { route: String, condition: &'static str },
    /// The provider signed the person in, but below the level (no second factor enrolled…).
    LevelUnreachable { level: String },
}

pub fn decide(policies: &PolicySet, route: &Route, who: Option<&Identity>, ip: IpAddr, now: i64) -> Decision {
    let Some(level) = policies.levels.get(&route.level) else {
        // A validated policy never names an unknown level; refuse rather than guess.
        return Decision::Deny(Denied::LevelUnreachable { level: route.level.clone() });
    };
    // Network conditions first: no sign-in can change where a request comes from.
    if !route.networks.is_empty()
        && !route.networks.iter().filter_map(|id| policies.networks.get(id)).any(|n| n.contains(ip))
    {
        return Decision::Deny(Denied::Network { route: route.id.clone() });
    }
    if level.city_network && !policies.networks.is_city(ip) {
        return Decision::Deny(Denied::CityNetwork { level: level.id.clone() });
    }
    let needs_subject = !route.roles.is_empty() || !route.opd.is_empty() || !route.users.is_empty();
    if level.subjects == Subjects::Any && !needs_subject {
        return Decision::Allow { level: highest_met(&policies.levels, who, ip, policies, now) };
    }
    let step = StepUp { level: level.id.clone(), max_age: level.max_auth_age };
    let Some(who) = who else { return Decision::Login(step) };
    if level.subjects == Subjects::Asn && !who.is_asn() && !acr_reaches(&policies.levels, level, who) {
        return Decision::Deny(Denied::NotAsn { level: level.id.clone() });
    }
    if let Some(condition) = subject_refused(route, who) {
        return Decision::Deny(Denied::Subject { route: route.id.clone(), condition });
    }
    if !meets(&policies.levels, level, who, now) {
        return Decision::StepUp(step);
    }
    Decision::Allow { level: highest_met(&policies.levels, Some(who), ip, policies, now) }
}

/// Whether the sign-in meets `level`'s conditions on who and how (networks aside): the provider
/// asserted the level or a higher one (`acr`), or the facts in the token meet it; and the
/// sign-in is recent enough.
pub fn meets(levels: &Levels, level: &Level, who: &Identity, now: i64) -> bool {
    let auth_age = now - who.auth_time;
    if level.max_auth_age.is_some_and(|max| auth_age > max) {
        return false;
    }
    // The provider vouches for who and how with `acr` (a bearer token carries no NIP claim).
    if acr_reaches(levels, level, who) {
        return true;
    }
    if level.subjects == Subjects::Asn && !who.is_asn() {
        return false;
    }
    let amr: Vec<&str> = who.amr.iter().map(String::as_str).collect();
    Levels::satisfies(level, &AuthFacts { is_asn: who.is_asn(), amr: &amr, auth_age, verified: who.verified })
}

/// The provider asserted `level` or a higher one.
fn acr_reaches(levels: &Levels, level: &Level, who: &Identity) -> bool {
    match (who.acr.as_deref().and_then(|a| levels.rank(a)), levels.rank(&level.id)) {
        (Some(have), Some(need)) => have >= need,
        _ => false,
    }
}

fn highest_met(levels: &Levels, who: Option<&Identity>, ip: IpAddr, p: &PolicySet, now: i64) -> String {
    let reachable = |l: &&Level| {
        (!l.city_network || p.networks.is_city(ip))
            && (l.subjects == Subjects::Any || who.is_some_and(|w| meets(levels, l, w, now)))
    };
    levels.all().iter().rev().find(reachable).map(|l| l.id.clone()).unwrap_or_else(|| levels.all()[0].id.clone())
}

fn subject_refused(route: &Route, who: &Identity) -> Option<&'static str> {
    if !route.roles.is_empty() && !who.roles.iter().any(|r| route.roles.contains(r)) {
        return Some("roles");
    }
    if !route.opd.is_empty() && !who.opd.as_ref().is_some_and(|o| route.opd.contains(o)) {
        return Some("opd");
    }
    if !route.users.is_empty() && !route.users.iter().any(|u| *u == who.sub || who.nip.as_deref() == Some(u.as_str())) {
        return Some("users");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use gerbang_core::policy::{Networks, Routes};

    fn policies(routes: &str) -> PolicySet {
        let levels = Levels::builtin().unwrap();
        let networks = Networks::parse("[[network]]\nid = \"lan\"\ncidrs = [\"10.0.0.0/8\"]\n", "n").unwrap();
        let routes = Routes::parse(routes, "r", &levels, &networks).unwrap();
        PolicySet { levels, networks, routes }
    }

    fn route(level: &str, extra: &str) -> String {
        format!(
            "[[route]]\nid = \"r\"\nhost = \"a.test\"\nupstream = \"http://127.0.0.1:9/\"\nlevel = \"{level}\"\n{extra}"
        )
    }

    fn who(nip: bool, acr: &str, amr: &[&str], auth_time: i64) -> Identity {
        Identity {
            key: "k".into(),
            sub: "sub-1".into(),
            name: None,
            nip: nip.then(|| "199001012020121001".into()),
            roles: vec!["operator".into()],
            opd: Some("diskominfo".into()),
            acr: Some(acr.into()),
            amr: amr.iter().map(|s| s.to_string()).collect(),
            verified: true,
            auth_time,
            bearer_client: None,
        }
    }

    const OUT: &str = "203.0.113.9";
    const LAN: &str = "10.1.2.3";

    fn run(p: &PolicySet, w: Option<&Identity>, ip: &str, now: i64) -> Decision {
        decide(p, p.routes.get("r").unwrap(), w, ip.parse().unwrap(), now)
    }

    #[test]
    fn levels_login_step_up_and_denials() {
        let p = policies(&route("asn-kuat", ""));
        let step = StepUp { level: "asn-kuat".into(), max_age: Some(43200) };
        assert_eq!(run(&p, None, OUT, 100), Decision::Login(step.clone()));
        assert_eq!(run(&p, Some(&who(true, "asn", &["pwd"], 90)), OUT, 100), Decision::StepUp(step));
        assert_eq!(
            run(&p, Some(&who(false, "warga", &["pwd"], 90)), OUT, 100),
            Decision::Deny(Denied::NotAsn { level: "asn-kuat".into() })
        );
        let strong = who(true, "asn-kuat", &["pwd", "otp"], 90);
        assert_eq!(run(&p, Some(&strong), OUT, 100), Decision::Allow { level: "asn-kuat".into() });
        assert!(matches!(run(&p, Some(&strong), OUT, 90 + 43201), Decision::StepUp(_)), "too old");
        // A bearer token of an ASN carries `acr` but no NIP: the provider's level vouches.
        let mut token = who(false, "asn-kuat", &["pwd", "otp"], 90);
        token.bearer_client = Some("app".into());
        assert_eq!(run(&p, Some(&token), OUT, 100), Decision::Allow { level: "asn-kuat".into() });
    }

    #[test]
    fn rahasia_needs_fresh_strong_sign_in_from_the_city_network() {
        let p = policies(&route("rahasia", ""));
        let fresh = who(true, "asn-kuat", &["hwk"], 1000);
        assert_eq!(run(&p, Some(&fresh), LAN, 1100), Decision::Allow { level: "rahasia".into() });
        assert_eq!(run(&p, Some(&fresh), OUT, 1100), Decision::Deny(Denied::CityNetwork { level: "rahasia".into() }));
        assert_eq!(
            run(&p, Some(&fresh), LAN, 1000 + 901),
            Decision::StepUp(StepUp { level: "rahasia".into(), max_age: Some(900) })
        );
        let p = policies(&route("asn-kuat", ""));
        assert_eq!(
            run(&p, Some(&fresh), LAN, 1100),
            Decision::Allow { level: "rahasia".into() },
            "reports the highest"
        );
        assert_eq!(run(&p, Some(&fresh), OUT, 1100), Decision::Allow { level: "asn-kuat".into() });
    }

    #[test]
    fn route_networks_and_subject_conditions() {
        let p = policies(&route("publik", "networks = [\"lan\"]\n"));
        assert_eq!(run(&p, None, LAN, 1), Decision::Allow { level: "publik".into() });
        assert_eq!(run(&p, None, OUT, 1), Decision::Deny(Denied::Network { route: "r".into() }));
        let p = policies(&route("asn", "roles = [\"admin\"]\n"));
        let w = who(true, "asn", &["pwd"], 1);
        assert_eq!(
            run(&p, Some(&w), OUT, 2),
            Decision::Deny(Denied::Subject { route: "r".into(), condition: "roles" })
        );
        let p = policies(&route("asn", "roles = [\"operator\"]\nusers = [\"199001012020121001\"]\n"));
        assert_eq!(run(&p, Some(&w), OUT, 2), Decision::Allow { level: "asn".into() });
        let p = policies(&route("warga", "opd = [\"bkpsdm\"]\n"));
        assert!(matches!(run(&p, Some(&w), OUT, 2), Decision::Deny(Denied::Subject { condition: "opd", .. })));
    }
}
