-- The 国保連 program's account kinds (docs/accounts.md, docs/kokuhoren.md): "kj_office" (an
-- office, 事業所) and "kj_agent" (代理人請求), rows of the same accounts table.
ALTER TABLE accounts DROP CONSTRAINT accounts_kind_check;
ALTER TABLE accounts ADD CONSTRAINT accounts_kind_check
  CHECK (kind IN ('institution', 'operator', 'kj_office', 'kj_agent'));
