-- The audit trail read by subject (the console's history of an application:
-- AuditReader::AuditBySubject).
CREATE INDEX audit_log_subject ON audit_log (subject, seq);
