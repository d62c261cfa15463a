-- The temporary password's own hash beside the requirement to change it (docs/qualcheck.md
-- "The temporary password"): the requirement holds only while the account still has that
-- password, so a password set by any path (the 初回パスワード変更 screen, a reset by e-mail,
-- an operator) ends it. NULL (rows made before this column) = the requirement holds.
ALTER TABLE qc_initial_passwords ADD COLUMN temporary_hash TEXT;
