//! Employment: enterprises send requests, people accept them with a face-checked selfie in the
//! mini-program, enterprises record their staff certificates and name a technical lead.

use serde_json::{json, Value};

use super::client::id_of;
use super::photos::{pdf, Face};
use super::world::World;

/// The people by their place in `city::PEOPLE`, and the face each accepts with.
pub const ZHANG: usize = 0;
pub const LI: usize = 1;
const WANG: usize = 2;
const FACES: [Face; 3] = [Face::ASelfie, Face::B, Face::C];

/// The enterprises the story follows, by their place in `city::ENTERPRISES`.
pub const QUANCHENG: usize = 0;
pub const LUAN: usize = 1;
pub const QILU: usize = 6;

/// The employments the verification story selects from.
pub struct Hired {
    pub zhang_at_quancheng: String,
    pub wang_at_qilu: String,
    pub li_at_qilu: String,
}

/// 张伟 leads at 泉城建设; 王强 leads and 李娜 works at 齐鲁路桥; 鲁安建筑 asks 王强 to join
/// and waits for his answer.
pub async fn hire(w: &mut World) -> anyhow::Result<Hired> {
    let zhang_at_quancheng = employ(w, QUANCHENG, ZHANG, "项目经理", registration("鲁137060800101")).await?;
    technical_lead(w, QUANCHENG, &zhang_at_quancheng).await?;
    let wang_at_qilu = employ(w, QILU, WANG, "技术负责人", registration("鲁137060800102")).await?;
    technical_lead(w, QILU, &wang_at_qilu).await?;
    let li_at_qilu = employ(w, QILU, LI, "安全员", title()).await?;
    offer(w, LUAN, WANG, "项目经理").await?;
    Ok(Hired {
        zhang_at_quancheng,
        wang_at_qilu,
        li_at_qilu,
    })
}

pub fn registration(number: &str) -> Value {
    json!({"kind": "registration", "name": "一级注册建造师", "number": number, "valid_until": "2028-06-30"})
}

pub fn title() -> Value {
    json!({"kind": "title", "name": "高级工程师", "specialty": "建筑工程"})
}

/// Sends an employment request; returns its id (pending until the person answers).
pub async fn offer(w: &World, enterprise: usize, person: usize, position: &str) -> anyhow::Result<String> {
    let today = w.today();
    let body = json!({"id_number": w.people[person].id_number, "position": position,
                      "contract_start": today.to_string(), "contract_end": today.add_months(36).to_string()});
    let token = &w.enterprises[enterprise].token;
    id_of(&w.api.post(token, "/employment/requests", body).await?)
}

/// The person accepts a request with a new selfie; the enterprise records a certificate.
/// Returns the employment's id.
pub async fn employ(
    w: &mut World,
    enterprise: usize,
    person: usize,
    position: &str,
    certificate: Value,
) -> anyhow::Result<String> {
    let request = offer(w, enterprise, person, position).await?;
    let token = w.people[person].token.clone();
    let challenge = w
        .api
        .post(&token, &format!("/employment/requests/{request}/challenge"), json!({}))
        .await?;
    let selfie = w.photos.fresh(FACES[person])?;
    let selfie = w.api.upload(&token, "selfie", "selfie.jpg", selfie).await?;
    let body = json!({"challenge_id": challenge["challenge_id"], "selfie_document_id": selfie});
    let relation = id_of(
        &w.api
            .post(&token, &format!("/employment/requests/{request}/accept"), body)
            .await?,
    )?;
    let employer = &w.enterprises[enterprise].token;
    let scan = w
        .api
        .upload(employer, "certificate_scan", "证书.pdf", pdf("Certificate scan"))
        .await?;
    let mut certificate = certificate;
    certificate["document_id"] = json!(scan);
    w.api
        .post(
            employer,
            &format!("/employment/relations/{relation}/certificates"),
            certificate,
        )
        .await?;
    Ok(relation)
}

pub async fn technical_lead(w: &World, enterprise: usize, relation: &str) -> anyhow::Result<()> {
    let token = &w.enterprises[enterprise].token;
    w.api
        .call(
            reqwest::Method::PUT,
            &format!("/employment/relations/{relation}/technical-lead"),
            token,
            None,
        )
        .await?;
    Ok(())
}

/// The enterprise ends an employment (the person left).
pub async fn end(w: &World, enterprise: usize, relation: &str) -> anyhow::Result<()> {
    let token = &w.enterprises[enterprise].token;
    let body = json!({"reason": "个人原因离职"});
    w.api
        .post(token, &format!("/employment/relations/{relation}/end"), body)
        .await?;
    Ok(())
}
