-- Moving a charge to another institution code (docs/billing.md "Moving charges"; the code
-- swap of a newly designated institution, docs/newinst.md): the move is a credit note on the
-- old code plus the same charge (request, kind, certificate) on the new code. The charge in
-- force per (request, kind, certificate) is therefore unique per institution code: a retried
-- operation still cannot charge twice under one code, and each entry is cancelled at most
-- once (cancels_entry_id is unique), so a charge moves once.
DROP INDEX fee_charges_charge;
CREATE UNIQUE INDEX fee_charges_charge ON fee_charges (request_id, kind, serial, institution_code)
  WHERE cancels_entry_id IS NULL;
