//! The accounts: staff (the sysadmin as `admin create-staff` makes it, the others through the
//! API, each then choosing their own password at the first sign-in), enterprises opened by their district's staff, people registered with their faces.

use anyhow::Context;
use serde_json::json;

use super::city::{self, ENTERPRISES, PEOPLE, STAFF};
use super::client::{id_of, text_of};
use super::photos::Face;
use super::world::{person_token, staff_token, Enterprise, Person, World};
use crate::auth::{passwords, Role};
use crate::platform::clock::Clock;

/// The password the sysadmin gives the accounts it creates.
const INITIAL_PASSWORD: &str = "initial-2026";

/// The sysadmin is created as the operator's `admin create-staff` does (there is nobody to
/// create it through the API); it then creates the other accounts through the API.
pub async fn staff(w: &mut World) -> anyhow::Result<()> {
    let admin = &STAFF[0];
    let hash = passwords::hash_now(city::STAFF_PASSWORD);
    let new = crate::staff::store::NewStaff {
        username: admin.username,
        display_name: admin.name,
        role: Role::Sysadmin,
        district_code: None,
        password_hash: &hash,
        created_by: None,
    };
    crate::staff::store::insert(&w.state.db, &new, w.clock.now_ms()).await?;
    let token = staff_token(&w.api, admin.username).await?;
    for seed in &STAFF[1..] {
        let body = json!({"username": seed.username, "display_name": seed.name, "role": seed.role,
                          "district_code": seed.district, "password": INITIAL_PASSWORD});
        w.api.post(&token, "/staff", body).await?;
        // The password the sysadmin gave has expired: its holder's first sign-in sets their own.
        let first = json!({"username": seed.username, "password": INITIAL_PASSWORD,
                           "new_password": city::STAFF_PASSWORD});
        w.staff
            .insert(seed.username, w.api.sign_in("/auth/staff/login", first).await?);
    }
    w.staff.insert(admin.username, token);
    Ok(())
}

/// Each enterprise is opened by its district's staff (the city's for 槐荫, which has no demo
/// reviewer), signs in with the initial password the development SMS sender wrote to
/// `sms.log`, records its site and safety licence.
pub async fn enterprises(w: &mut World) -> anyhow::Result<()> {
    for (n, seed) in ENTERPRISES.iter().enumerate() {
        let code = city::credit_code(n, seed.district)?;
        let opener = match seed.district {
            city::LIXIA => "lixia",
            city::SHIZHONG => "shizhong",
            _ => "city",
        };
        let body = json!({"credit_code": code, "name": seed.name, "district_code": seed.district,
                          "contact_name": seed.contact, "contact_phone": city::contact_phone(n),
                          "registered_address": format!("济南市{}", seed.address)});
        let id = id_of(&w.api.post(w.staff(opener), "/enterprises", body).await?)?;
        let password = initial_password(w, &code)?;
        let login = json!({"credit_code": code, "password": password});
        let token = w.api.sign_in("/auth/enterprise/login", login).await?;
        let profile = json!({
            "site": {"latitude": seed.site.0, "longitude": seed.site.1, "system": "wgs84"},
            "safety_licence": {"number": format!("(鲁)JZ安许证字[2024]01{:04}", 1300 + n), "valid_until": "2027-12-31"},
        });
        w.api.patch(&token, &format!("/enterprises/{id}"), profile).await?;
        w.enterprises.push(Enterprise {
            id,
            code,
            name: seed.name,
            district: seed.district,
            password,
            token,
        });
    }
    Ok(())
}

/// The last initial password sent to this credit code, from the development SMS log.
fn initial_password(w: &World, code: &str) -> anyhow::Result<String> {
    let path = w.state.settings.storage.dir.join("sms.log");
    let log = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    log.lines()
        .rev()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .find(|m| m["params"][0] == code)
        .and_then(|m| m["params"][1].as_str().map(str::to_owned))
        .with_context(|| format!("no initial password for {code} in {}", path.display()))
}

/// The people register in the mini-program with an ID portrait and a selfie. The fourth has
/// another ID number but the third's face: the one-face rule holds that registration for the
/// city's review.
pub async fn people(w: &mut World) -> anyhow::Result<()> {
    let faces = [
        (Face::APortrait, Face::ASelfie),
        (Face::B, Face::B),
        (Face::C, Face::C),
        (Face::C, Face::C),
    ];
    for (seed, (portrait, selfie)) in PEOPLE.iter().zip(faces) {
        let token = person_token(&w.api, seed.wechat_code).await?;
        let portrait = w.photos.fresh(portrait)?;
        let selfie = w.photos.fresh(selfie)?;
        let portrait = w.api.upload(&token, "id_portrait", "portrait.jpg", portrait).await?;
        let selfie = w.api.upload(&token, "selfie", "selfie.jpg", selfie).await?;
        let id_number = city::id_number(seed)?;
        let body = json!({"id_number": id_number, "name": seed.name, "phone": seed.phone,
                          "portrait_document_id": portrait, "selfie_document_id": selfie});
        let answer = w.api.post(&token, "/people/me/registration", body).await?;
        text_of(&answer, "status")?;
        w.people.push(Person {
            name: seed.name,
            id_number,
            wechat_code: seed.wechat_code,
            token,
        });
    }
    Ok(())
}
