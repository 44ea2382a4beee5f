//! The network register (Pasal 5): CIDR ranges of the city network assigned to each OPD. The
//! Dinas assigns each range once, so a range that overlaps another (here or in
//! `policies/networks.toml`) is refused. The gateway reads these beside the policy files.

use gerbang_core::policy::network::parse_cidr;
use gerbang_core::policy::{Network, Networks};
use gerbang_core::store::{NetworkRecord, RegisterStore, now_unix};
use ipnet::IpNet;
use serde::Deserialize;

use super::{Admin, AdminError, PAGE, Principal, Role, change, finish, target, validate};

#[derive(Debug, Clone, Default, Deserialize)]
pub struct NetworkInput {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub opd_id: String,
    /// One range per line (or separated by commas or spaces), or a JSON list.
    #[serde(default, deserialize_with = "super::validate::lines")]
    pub cidrs: String,
    #[serde(default, deserialize_with = "super::validate::flag")]
    pub city: bool,
}

impl Admin {
    pub async fn networks(&self, who: &Principal, after: &str) -> Result<Vec<NetworkRecord>, AdminError> {
        who.require_reader()?;
        Ok(self.store.conn().await?.list_networks(after, PAGE).await?)
    }

    pub async fn network(&self, who: &Principal, id: &str) -> Result<NetworkRecord, AdminError> {
        who.require_reader()?;
        self.store.conn().await?.network(id).await?.ok_or(AdminError::NotFound)
    }

    pub async fn create_network(&self, who: &Principal, input: &NetworkInput) -> Result<NetworkRecord, AdminError> {
        who.require(Role::Admin)?;
        let id = validate::id("id", &input.id)?;
        let (record, ranges) = self.network_record(id, input, now_unix()).await?;
        let mut tx = self.begin().await?;
        if tx.network(&record.id).await?.is_some() {
            return Err(AdminError::conflict("id", "Kode jaringan ini sudah dipakai.", "This network code is taken."));
        }
        self.refuse_overlaps(&mut tx, &record.id, &ranges).await?;
        tx.insert_network(&record).await?;
        let detail = serde_json::json!({ "after": record });
        finish(tx, who, "register.network.create", &target("network", &record.id), detail).await?;
        Ok(record)
    }

    pub async fn update_network(
        &self,
        who: &Principal,
        id: &str,
        input: &NetworkInput,
    ) -> Result<NetworkRecord, AdminError> {
        who.require(Role::Admin)?;
        let (mut after, ranges) = self.network_record(id.to_string(), input, now_unix()).await?;
        let mut tx = self.begin().await?;
        let before = tx.network(id).await?.ok_or(AdminError::NotFound)?;
        after.created_at = before.created_at;
        self.refuse_overlaps(&mut tx, id, &ranges).await?;
        tx.update_network(&after).await?;
        finish(tx, who, "register.network.update", &target("network", id), change(&before, &after)).await?;
        Ok(after)
    }

    pub async fn delete_network(&self, who: &Principal, id: &str) -> Result<(), AdminError> {
        who.require(Role::Admin)?;
        let mut tx = self.begin().await?;
        let before = tx.network(id).await?.ok_or(AdminError::NotFound)?;
        tx.delete_network(id).await?;
        finish(tx, who, "register.network.delete", &target("network", id), serde_json::json!({ "before": before }))
            .await
    }

    async fn network_record(
        &self,
        id: String,
        input: &NetworkInput,
        now: i64,
    ) -> Result<(NetworkRecord, Vec<IpNet>), AdminError> {
        let mut ranges: Vec<IpNet> = Vec::new();
        for token in input.cidrs.split(|c: char| c.is_whitespace() || c == ',').filter(|t| !t.is_empty()) {
            let net = parse_cidr(token).ok_or_else(|| {
                AdminError::invalid(
                    "cidrs",
                    format!("{token:?} bukan rentang CIDR (contoh 10.1.0.0/16; bit host harus nol)."),
                    format!("{token:?} is not a CIDR range (e.g. 10.1.0.0/16; host bits must be zero)."),
                )
            })?;
            if let Some(o) = ranges.iter().find(|o| o.contains(&net.network()) || net.contains(&o.network())) {
                return Err(AdminError::conflict(
                    "cidrs",
                    format!("{net} tumpang tindih dengan {o} pada isian yang sama."),
                    format!("{net} overlaps {o} in the same entry."),
                ));
            }
            ranges.push(net);
        }
        if ranges.is_empty() {
            return Err(AdminError::invalid(
                "cidrs",
                "Isi minimal satu rentang CIDR.",
                "Give at least one CIDR range.",
            ));
        }
        let record = NetworkRecord {
            id,
            name: validate::name("name", &input.name)?,
            opd_id: self.active_opd("opd_id", &input.opd_id).await?,
            cidrs: ranges.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"),
            city: input.city,
            created_at: now,
            updated_at: now,
        };
        Ok((record, ranges))
    }

    /// Pasal 5: a range is assigned once. Checked against every other registered network and
    /// the networks of `policies/networks.toml`, inside the writing transaction.
    async fn refuse_overlaps(
        &self,
        tx: &mut gerbang_core::store::Tx,
        id: &str,
        ranges: &[IpNet],
    ) -> Result<(), AdminError> {
        let mut others: Vec<Network> = Vec::new();
        let mut after = String::new();
        loop {
            let page = tx.list_networks(&after, 500).await?;
            let Some(last) = page.last() else { break };
            after = last.id.clone();
            others.extend(page.iter().filter(|n| n.id != id).map(Network::from_record));
        }
        // The file's networks: when it cannot be read, nothing can be checked, so nothing is saved.
        let files = match &self.policies_dir {
            Some(dir) => Networks::load(dir).map_err(|e| {
                AdminError::conflict(
                    "cidrs",
                    format!("policies/networks.toml tidak dapat dibaca ({e}); perbaiki dulu."),
                    format!("policies/networks.toml cannot be read ({e}); fix it first."),
                )
            })?,
            None => Networks::default(),
        };
        if files.get(id).is_some() {
            return Err(AdminError::conflict(
                "id",
                format!("Kode {id:?} sudah dipakai di policies/networks.toml."),
                format!("The code {id:?} is already used in policies/networks.toml."),
            ));
        }
        for net in ranges {
            let clash = files.overlapping(net).or_else(|| Networks::overlapping_in(&others, net));
            if let Some((other, o)) = clash {
                return Err(AdminError::conflict(
                    "cidrs",
                    format!("{net} tumpang tindih dengan {o} milik jaringan {other:?}."),
                    format!("{net} overlaps {o} of network {other:?}."),
                ));
            }
        }
        Ok(())
    }
}
