-- Outcomes of verification: the rectification notice (责令整改通知书) and the enterprise's report.
ALTER TABLE verification_tasks ADD COLUMN rectification_deadline TEXT;
ALTER TABLE verification_tasks ADD COLUMN rectification_reasons TEXT;
ALTER TABLE verification_tasks ADD COLUMN rectification_report TEXT;
ALTER TABLE verification_tasks ADD COLUMN rectification_document_id TEXT REFERENCES documents (id);
