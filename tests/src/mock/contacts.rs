//! The contacts the mock keeps in memory, so that `listContacts`, `createContact`, `updateContact` and
//! `deleteContact` agree with each other.
//!
//! Rules, from the Contacts pages of the documentation (and Laravel's habits where they are silent):
//! `name` and `phone` are required (422 `validation_failed`); a phone number not in international format
//! is 400 `invalid_phone_number`; a phone number another contact has is 409 `duplicate_phone_number`; an
//! unknown id is 404 `resource_not_found`. Ids count from 1; `created_at` and `updated_at` come from the
//! mock's clock. An uploaded avatar becomes `https://storage.awalchat.com/contacts/<id>/avatar.<ext>`.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use serde_json::{json, Map, Value};

use super::{iso_time, Failure};
use crate::server::FormPart;

/// One stored contact: the fields of the spec's `Contact` schema. The form fields the schema does not
/// return (`branch_id`, `description`, `address`, `full_name`) are checked and then dropped.
#[derive(Debug, Clone)]
struct Contact {
    id: i64,
    name: String,
    phone: String,
    email: Option<String>,
    contact_group_id: Option<i64>,
    is_favorite: bool,
    avatar: Option<String>,
    created_at: String,
    updated_at: String,
}

impl Contact {
    fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "phone": self.phone,
            "email": self.email,
            "contact_group_id": self.contact_group_id,
            "is_favorite": self.is_favorite,
            "avatar": self.avatar,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        })
    }
}

/// The store: contacts by id, and the next id to hand out.
#[derive(Debug)]
pub(crate) struct Contacts {
    next_id: i64,
    items: BTreeMap<i64, Contact>,
}

impl Default for Contacts {
    fn default() -> Self {
        Contacts {
            next_id: 1,
            items: BTreeMap::new(),
        }
    }
}

/// The text form fields a contact is made of, besides `file`.
const TEXT_FIELDS: [&str; 10] = [
    "name",
    "phone",
    "email",
    "branch_id",
    "contact_group_id",
    "description",
    "address",
    "full_name",
    "is_favorite",
    "avatar",
];

/// The fields of a create or update form, checked.
#[derive(Debug, Default)]
struct ContactForm {
    /// Text fields that were sent, by name; an empty value means "clear" for the optional ones.
    text: BTreeMap<&'static str, String>,
    /// `Some(ext)` when an avatar file was uploaded.
    avatar_file: Option<&'static str>,
}

impl ContactForm {
    fn get(&self, name: &str) -> Option<&str> {
        self.text.get(name).map(String::as_str)
    }

    /// Reads the parts and checks every field that was sent; `required` fields must be present and
    /// non-empty.
    fn parse(
        parts: &[FormPart],
        required: &[&str],
        validation_status: StatusCode,
    ) -> Result<Self, Failure> {
        let mut form = ContactForm::default();
        let mut problems = Map::new();
        for field in TEXT_FIELDS {
            let Some(part) = parts.iter().find(|part| part.name == field) else {
                continue;
            };
            match std::str::from_utf8(&part.bytes) {
                Ok(text) => {
                    form.text.insert(field, text.trim().to_owned());
                }
                Err(_) => {
                    problems.insert(
                        field.to_owned(),
                        json!(format!("The {field} must be UTF-8 text.")),
                    );
                }
            }
        }
        for field in required {
            if form.get(field).is_none_or(str::is_empty) {
                problems.insert(
                    (*field).to_owned(),
                    json!(format!("The {field} field is required.")),
                );
            }
        }
        if let Some(phone) = form.get("phone").filter(|p| !p.is_empty()) {
            if !is_international(phone) && problems.is_empty() {
                return Err(Failure::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_phone_number",
                    "Invalid phone number format",
                )
                .with_details(json!({
                    "phone": "Use the international format without + or spaces, e.g. 96650000000"
                })));
            }
        }
        if let Some(value) = form.get("is_favorite") {
            if parse_bool(value).is_none() {
                problems.insert(
                    "is_favorite".to_owned(),
                    json!("The is_favorite field must be true or false."),
                );
            }
        }
        if let Some(value) = form.get("contact_group_id").filter(|v| !v.is_empty()) {
            if value.parse::<i64>().is_err() {
                problems.insert(
                    "contact_group_id".to_owned(),
                    json!("The contact_group_id must be an integer."),
                );
            }
        }
        if let Some(value) = form.get("email").filter(|v| !v.is_empty()) {
            let valid = value
                .split_once('@')
                .is_some_and(|(user, domain)| !user.is_empty() && domain.contains('.'));
            if !valid {
                problems.insert(
                    "email".to_owned(),
                    json!("The email must be a valid email address."),
                );
            }
        }
        if let Some(value) = form.get("avatar").filter(|v| !v.is_empty()) {
            if !(value.starts_with("https://") || value.starts_with("http://")) {
                problems.insert(
                    "avatar".to_owned(),
                    json!("The avatar must be a valid URL."),
                );
            }
        }
        if let Some(file) = parts.iter().find(|part| part.name == "file") {
            match image_extension(file) {
                Some(ext) => form.avatar_file = Some(ext),
                None => {
                    problems.insert(
                        "file".to_owned(),
                        json!("The file must be a file of type: jpg, jpeg, png."),
                    );
                }
            }
        }
        if problems.is_empty() {
            Ok(form)
        } else {
            Err(
                Failure::new(validation_status, "validation_failed", "Validation failed")
                    .with_details(Value::Object(problems)),
            )
        }
    }
}

/// Digits only, no leading 0, 7 to 15 of them: the spec's `^[1-9][0-9]{6,14}$`.
fn is_international(phone: &str) -> bool {
    (7..=15).contains(&phone.len())
        && phone.bytes().all(|b| b.is_ascii_digit())
        && !phone.starts_with('0')
}

/// The form values Laravel's `boolean` rule accepts.
fn parse_bool(value: &str) -> Option<bool> {
    match value {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// `png` or `jpg` for a JPG or PNG upload (by content type, else by file name), `None` otherwise.
fn image_extension(part: &FormPart) -> Option<&'static str> {
    let content_type = part
        .content_type
        .as_deref()
        .unwrap_or("")
        .to_ascii_lowercase();
    let file_name = part.file_name.as_deref().unwrap_or("").to_ascii_lowercase();
    if content_type == "image/png" || (content_type.is_empty() && file_name.ends_with(".png")) {
        Some("png")
    } else if content_type == "image/jpeg"
        || (content_type.is_empty()
            && (file_name.ends_with(".jpg") || file_name.ends_with(".jpeg")))
    {
        Some("jpg")
    } else {
        None
    }
}

fn not_found(id: i64) -> Failure {
    Failure::new(
        StatusCode::NOT_FOUND,
        "resource_not_found",
        &format!("Contact {id} not found"),
    )
}

fn duplicate(phone: &str) -> Failure {
    Failure::new(
        StatusCode::CONFLICT,
        "duplicate_phone_number",
        "A contact with this phone number already exists",
    )
    .with_details(json!({ "phone": format!("{phone} is already taken.") }))
}

/// `None` for an empty string (Laravel turns empty form values into null).
fn non_empty(value: Option<&str>) -> Option<String> {
    value.filter(|v| !v.is_empty()).map(str::to_owned)
}

impl Contacts {
    /// `GET /contacts`: one page (`page`, default 1; `limit`, default 10) of the contacts whose name
    /// (case-insensitively) or phone contains `searchTerm`, by id, with `meta`.
    pub fn list(&self, query: &[(String, String)]) -> Result<(StatusCode, Value), Failure> {
        let get = |name: &str| {
            query
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.as_str())
        };
        let mut problems = Map::new();
        let mut positive = |name: &str, default: i64| match get(name) {
            None => default,
            Some(text) => match text.parse::<i64>() {
                Ok(value) if value >= 1 => value,
                _ => {
                    problems.insert(
                        name.to_owned(),
                        json!(format!("The {name} must be at least 1.")),
                    );
                    default
                }
            },
        };
        let page = positive("page", 1);
        let limit = positive("limit", 10);
        if !problems.is_empty() {
            return Err(Failure::new(
                StatusCode::BAD_REQUEST,
                "validation_failed",
                "Validation failed",
            )
            .with_details(Value::Object(problems)));
        }
        let term = get("searchTerm").unwrap_or("").trim().to_lowercase();
        let matching: Vec<&Contact> = self
            .items
            .values()
            .filter(|c| {
                term.is_empty() || c.name.to_lowercase().contains(&term) || c.phone.contains(&term)
            })
            .collect();
        let total = i64::try_from(matching.len()).unwrap_or(i64::MAX);
        let last_page = ((total + limit - 1) / limit).max(1);
        let skip = usize::try_from((page - 1).saturating_mul(limit)).unwrap_or(usize::MAX);
        let take = usize::try_from(limit).unwrap_or(usize::MAX);
        let data: Vec<Value> = matching
            .into_iter()
            .skip(skip)
            .take(take)
            .map(Contact::to_json)
            .collect();
        Ok((
            StatusCode::OK,
            json!({
                "status": true,
                "data": data,
                "meta": {
                    "current_page": page,
                    "per_page": limit,
                    "total": total,
                    "last_page": last_page,
                }
            }),
        ))
    }

    /// `POST /contacts`: 201 with the new contact.
    pub fn create(
        &mut self,
        parts: &[FormPart],
        now: u64,
        validation_status: StatusCode,
    ) -> Result<(StatusCode, Value), Failure> {
        let form = ContactForm::parse(parts, &["name", "phone"], validation_status)?;
        let phone = form.get("phone").unwrap_or_default().to_owned();
        if self.items.values().any(|c| c.phone == phone) {
            return Err(duplicate(&phone));
        }
        let id = self.next_id;
        self.next_id += 1;
        let time = iso_time(now);
        let avatar = match form.avatar_file {
            Some(ext) => Some(format!(
                "https://storage.awalchat.com/contacts/{id}/avatar.{ext}"
            )),
            None => non_empty(form.get("avatar")),
        };
        let contact = Contact {
            id,
            name: form.get("name").unwrap_or_default().to_owned(),
            phone,
            email: non_empty(form.get("email")),
            contact_group_id: form.get("contact_group_id").and_then(|v| v.parse().ok()),
            is_favorite: form
                .get("is_favorite")
                .and_then(parse_bool)
                .unwrap_or(false),
            avatar,
            created_at: time.clone(),
            updated_at: time,
        };
        let data = contact.to_json();
        self.items.insert(id, contact);
        Ok((
            StatusCode::CREATED,
            json!({"status": true, "message": "Contact created successfully", "data": data}),
        ))
    }

    /// `PATCH /contacts/{id}`: changes the fields sent, 200 with the contact.
    pub fn update(
        &mut self,
        id: i64,
        parts: &[FormPart],
        now: u64,
        validation_status: StatusCode,
    ) -> Result<(StatusCode, Value), Failure> {
        if !self.items.contains_key(&id) {
            return Err(not_found(id));
        }
        let form = ContactForm::parse(parts, &[], validation_status)?;
        if let Some(name) = form.get("name") {
            if name.is_empty() {
                return Err(Failure::new(
                    validation_status,
                    "validation_failed",
                    "Validation failed",
                )
                .with_details(json!({"name": "The name field must not be empty."})));
            }
        }
        if let Some(phone) = form.get("phone") {
            if self.items.values().any(|c| c.phone == phone && c.id != id) {
                return Err(duplicate(phone));
            }
        }
        let contact = self.items.get_mut(&id).ok_or_else(|| not_found(id))?;
        if let Some(name) = form.get("name") {
            contact.name = name.to_owned();
        }
        if let Some(phone) = form.get("phone").filter(|p| !p.is_empty()) {
            contact.phone = phone.to_owned();
        }
        if let Some(email) = form.get("email") {
            contact.email = non_empty(Some(email));
        }
        if let Some(group) = form.get("contact_group_id") {
            contact.contact_group_id = group.parse().ok();
        }
        if let Some(favorite) = form.get("is_favorite").and_then(parse_bool) {
            contact.is_favorite = favorite;
        }
        if let Some(ext) = form.avatar_file {
            contact.avatar = Some(format!(
                "https://storage.awalchat.com/contacts/{id}/avatar.{ext}"
            ));
        } else if let Some(avatar) = form.get("avatar") {
            contact.avatar = non_empty(Some(avatar));
        }
        contact.updated_at = iso_time(now);
        Ok((
            StatusCode::OK,
            json!({"status": true, "message": "Contact updated successfully", "data": contact.to_json()}),
        ))
    }

    /// `DELETE /contacts/{id}`: 200, or 404 for an unknown id.
    pub fn delete(&mut self, id: i64) -> Result<(StatusCode, Value), Failure> {
        match self.items.remove(&id) {
            Some(_) => Ok((
                StatusCode::OK,
                json!({"status": true, "message": "Contact deleted successfully"}),
            )),
            None => Err(not_found(id)),
        }
    }
}
