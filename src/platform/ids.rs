//! One id type per entity, so a document id can never be passed where an enterprise id is
//! expected. Each is the UUIDv7 text `db::new_id()` makes, in a newtype that:
//! - serialises as the plain string (`Path<EnterpriseId>`, JSON bodies and answers unchanged),
//! - binds and decodes as a text column through `sqlx::Any` (`.bind(&id)`, row fields),
//! - documents itself in OpenAPI as a plain string (annotate a struct field
//!   `#[schema(value_type = String)]` so the derive inlines it instead of naming a component).
//!
//! An id reads as `&str` (`as_str`, `Deref`) wherever text is wanted; making one from text
//! (`From<String>`, `From<&str>`) is explicit.

/// Defines id newtypes; see the module documentation.
macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// A new time-ordered id. (No `Default`: an id made up where a value was missing
            /// would pass for a real one.)
            #[allow(clippy::new_without_default)]
            pub fn new() -> Self {
                Self($crate::platform::db::new_id())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_owned())
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl sqlx::Type<sqlx::Any> for $name {
            fn type_info() -> sqlx::any::AnyTypeInfo {
                <String as sqlx::Type<sqlx::Any>>::type_info()
            }
            fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
                <String as sqlx::Type<sqlx::Any>>::compatible(ty)
            }
        }

        impl<'r> sqlx::Decode<'r, sqlx::Any> for $name {
            fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                <String as sqlx::Decode<'r, sqlx::Any>>::decode(value).map(Self)
            }
        }

        impl<'q> sqlx::Encode<'q, sqlx::Any> for $name {
            fn encode_by_ref(
                &self,
                buf: &mut <sqlx::Any as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <String as sqlx::Encode<'q, sqlx::Any>>::encode_by_ref(&self.0, buf)
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                <String as utoipa::PartialSchema>::schema()
            }
        }

        impl utoipa::ToSchema for $name {}
    )*};
}

ids! {
    /// An authority staff account (`staff`).
    StaffId,
    /// An enterprise account (`enterprises`).
    EnterpriseId,
    /// A person bound to a WeChat openid (`people`).
    PersonId,
    /// An act that raised how a person's identity was established (`identity_assurances`).
    IdentityAssuranceId,
    /// A WeChat face verification session (`wechat_face_sessions`).
    WechatFaceSessionId,
    /// An uploaded document (`documents`).
    DocumentId,
    /// A current or past employment (`employments`).
    EmploymentId,
    /// An enterprise's request to employ a person (`employment_requests`).
    EmploymentRequestId,
    /// A certificate held by an employee (`staff_certificates`).
    StaffCertificateId,
    /// An enterprise's qualification certificate (`enterprise_qualifications`).
    QualificationId,
    /// A qualification verification task (`verification_tasks`).
    VerificationTaskId,
    /// A check-in attempt of a verification task (`check_in_attempts`).
    CheckInAttemptId,
    /// A decision on a check-in attempt: review, appeal or appeal decision (`check_in_decisions`).
    CheckInDecisionId,
    /// A person's safety-management or special-operations certificate (`certificates`).
    CertificateId,
    /// An event of a certificate's track (`certificate_events`).
    CertificateEventId,
    /// A construction project (`projects`).
    ProjectId,
    /// An assessment template version (`assessment_templates`).
    TemplateId,
    /// An enterprise's self-assessment (`assessments`).
    AssessmentId,
    /// A supervisor's project safety assessment form (`project_assessments`).
    ProjectAssessmentId,
    /// A daily assessment event (`daily_events`).
    DailyEventId,
    /// A dynamic adjustment of a result (`result_adjustments`).
    AdjustmentId,
    /// A single-use challenge for a face-checked act (`challenges`).
    ChallengeId,
    /// A notification in the outbox or inbox (`notifications`).
    NotificationId,
    /// A face photo received in any flow, kept by its hash (`face_photos`).
    FacePhotoId,
    /// A registration held because its face matched another identity (`registration_reviews`).
    RegistrationReviewId,
    /// An exam batch open for registration (`exam_batches`).
    ExamBatchId,
    /// A person's registration for an exam batch (`exam_registrations`).
    ExamRegistrationId,
    /// An application (办件) on a certificate or for an enterprise's certificates (`applications`).
    ApplicationId,
    /// An act on an application (`application_events`).
    ApplicationEventId,
    /// A training institution's account (`training_institutions`).
    TrainingInstitutionId,
    /// A continuing-education record entered by a training institution (`continuing_education`).
    ContinuingEducationId,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_is_the_plain_string() {
        let id = EnterpriseId::new();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{id}\""));
        let back: EnterpriseId = serde_json::from_str(&json).unwrap();
        assert_eq!(back, id);
        assert_eq!(id.as_str().len(), 36);
        #[derive(serde::Deserialize)]
        struct Body {
            document_id: DocumentId,
        }
        let body: Body = serde_json::from_str(r#"{"document_id":"abc"}"#).unwrap();
        assert_eq!(body.document_id.as_str(), "abc");
    }

    #[test]
    fn the_schema_is_a_plain_string() {
        let id = serde_json::to_value(<ProjectId as utoipa::PartialSchema>::schema()).unwrap();
        let text = serde_json::to_value(<String as utoipa::PartialSchema>::schema()).unwrap();
        assert_eq!(id, text);
    }

    #[tokio::test]
    async fn binds_and_decodes_as_text() {
        sqlx::any::install_default_drivers();
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect("sqlite::memory:")
            .await
            .unwrap();
        sqlx::query("CREATE TABLE t (id TEXT PRIMARY KEY, owner TEXT)")
            .execute(&mut conn)
            .await
            .unwrap();
        let id = DocumentId::new();
        let owner = PersonId::from("p-1");
        sqlx::query("INSERT INTO t (id, owner) VALUES ($1, $2)")
            .bind(&id)
            .bind(Some(&owner))
            .execute(&mut conn)
            .await
            .unwrap();
        let (back, back_owner): (DocumentId, Option<PersonId>) =
            sqlx::query_as("SELECT id, owner FROM t WHERE id = $1")
                .bind(id.clone())
                .fetch_one(&mut conn)
                .await
                .unwrap();
        assert_eq!(back, id);
        assert_eq!(back_owner, Some(owner));
        let scalar: DocumentId = sqlx::query_scalar("SELECT id FROM t")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(scalar, id);
    }
}
