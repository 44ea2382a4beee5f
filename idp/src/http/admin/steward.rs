//! The stewards' page (`/wali-data`): claims of their data groups waiting for a decision, each
//! approved or refused with a reason (Pasal 12(6)).

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use super::{AdminPage, Field, FormData, P, Who, enc, form, text};
use crate::admin::registration::Decision;
use crate::http::error::PageError;
use crate::http::lang::UiLang;
use crate::state::AppState;

type Page = Result<Response, PageError>;

pub async fn queue(State(state): State<AppState>, ui: UiLang, headers: HeaderMap) -> Page {
    let who = match Who::get(&state, &headers, ui, "/wali-data").await? {
        Ok(w) => w,
        Err(r) => return Ok(r),
    };
    queue_page(&state, &who, None).await
}

async fn queue_page(state: &AppState, who: &Who, error: Option<(String, String, String)>) -> Page {
    let queue = state.admin.steward_queue(&who.principal).await.map_err(|e| who.err(e))?;
    let mut page =
        AdminPage::new("steward-queue", "wali-data", who.tr("Keputusan Wali Data", "Steward decisions")).push(text(
            format!("{}: {}", who.tr("Kelompok data Anda", "Your data groups"), who.principal.stewards.join(", ")),
        ));
    if queue.is_empty() {
        page = page.push(text(
            who.tr("Tidak ada klaim yang menunggu keputusan Anda.", "No claim is waiting for your decision."),
        ));
    }
    for (claim, view) in &queue {
        for b in super::clients::registration_facts(who, view) {
            page = page.push(b);
        }
        let err =
            error.as_ref().filter(|(r, c, _)| *r == view.record.id && *c == claim.claim).map(|(_, _, m)| m.clone());
        let id = format!("claim-{}-{}", view.record.id, claim.claim);
        let mut f = form(
            &id,
            &format!("{} «{}» — {}", who.tr("Klaim", "Claim"), claim.claim, claim.purpose),
            &format!("/wali-data/{}/{}", enc(&view.record.id), enc(&claim.claim)),
            vec![Field::text("reason", who.tr("Alasan (wajib)", "Reason (required)"), "").kind("textarea").required()],
            "",
            err,
        );
        f["submits"] = serde_json::json!([
            { "name": "approve", "value": "on", "label": who.tr("Setujui klaim", "Approve the claim"), "secondary": false },
            { "name": "approve", "value": "off", "label": who.tr("Tolak klaim", "Refuse the claim"), "secondary": true } ]);
        page = page.push(f);
    }
    page.answer(state, who, error.is_some())
}

pub async fn decide(
    State(state): State<AppState>,
    ui: UiLang,
    headers: HeaderMap,
    P((id, claim)): P<(String, String)>,
    f: FormData,
) -> Page {
    let who = match Who::get(&state, &headers, ui, "/wali-data").await? {
        Ok(w) => w,
        Err(r) => return Ok(r),
    };
    who.check(&headers, &f, state.secure_cookies)?;
    let decision = Decision { approve: f.get("approve") == "on", reason: f.get("reason").into() };
    match state.admin.decide_claim(&who.principal, &id, &claim, &decision).await {
        Ok(_) => Ok(super::see("/wali-data")),
        Err(e) => {
            let message = who.form_error(e)?;
            queue_page(&state, &who, Some((id, claim, message))).await
        }
    }
}
