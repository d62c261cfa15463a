#pragma once

// The registration authority on a real store (SQLite and PostgreSQL), a real issuer and
// key pool: the fixture and helpers shared by the RA's tests.

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "ca/testing.h"
#include "common/time_util.h"
#include "ra/registration_authority.h"
#include "store/store_test_fixture.h"

namespace claimsca::ra::test {

using store::test::StoreTest;

inline constexpr char kClinic[] = "0110113719";  // 01 北海道, 1 医科, 0113719 (in the register)
inline constexpr char kOtherClinic[] = "0110112489";
inline constexpr char kHostile[] = "テスト中です#%& * > ? @";

inline Instant At(const char* jst) { return *ParseInstant(jst); }

inline ApplicationForm ClinicForm(std::string facility = "0113719") {
  ApplicationForm f;
  f.applicant_kind = "institution";
  f.category = "1";
  f.prefecture = "01";
  f.score_table = "1";
  f.facility_code = std::move(facility);
  f.institution_name = "札幌中央病院";
  f.contact_name = "医事課　山田";
  f.phone = "011-123-4567";
  f.email = "iji@example.jp";
  f.terminal_name = "受付PC1";
  return f;
}

inline ApplicationForm InsurerForm() {
  ApplicationForm f;
  f.applicant_kind = "insurer";
  f.insurer_number = "33120015";
  f.insurer_name = "千葉県警察共済組合";
  f.contact_name = "総務課";
  f.phone = "043-123-4567";
  f.email = "soumu@example.jp";
  f.terminal_name = "オンライン請求用端末";
  return f;
}

inline Caller Operator(std::string role = "administrator") {
  Caller c;
  c.channel = Channel::kApi;
  c.principal.account_id = "op-" + role;
  c.principal.kind = "operator";
  c.principal.roles = {std::move(role)};
  return c;
}

inline Caller Institution(std::string code, std::string id = "clinic@example.jp") {
  Caller c;
  c.channel = Channel::kPortal;
  c.principal.account_id = std::move(id);
  c.principal.kind = "institution";
  c.principal.institution_codes = {std::move(code)};
  return c;
}

inline Caller Network() {
  Caller c;
  c.channel = Channel::kNetwork;
  return c;
}

class RaTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    clock_.Set(At("2026-11-22T10:00:00+09:00"));
    hierarchy_ = ca::testing::MakeTestHierarchy(clock_.Now() - std::chrono::hours(1));
    ca::ProgramProfile common = ca::CommonProgramDefaults();
    common.default_key_algorithm = "ecp256";  // fast key generation for tests
    programs_ = ca::ProgramRegistry({common});
    ca::IssuerOptions io;
    io.organization = "claimsca test";
    io.urls = {"http://ca.test/crl/issuing-1.crl", "http://ca.test/ocsp",
               "http://ca.test/ca/issuing-1.der"};
    issuer_ = std::make_unique<ca::Issuer>(io, hierarchy_.issuing.get(), *hierarchy_.issuing_signer,
                                           *store_, programs_, clock_);
    ca::KeyPoolOptions po;
    po.algorithms = {crypto::KeyAlgorithm::kEcP256};
    po.target = 0;
    po.threads = 0;
    pool_ = std::make_unique<ca::KeyPool>(*store_, "pool-secret-for-tests", po);
    tariff_.emplace(std::move(domain::Tariff::Create(domain::DefaultCommonTariff()).value()));
    sealer_.emplace(std::move(crypto::SealedBox::Create(std::string(32, 's')).value()));
    ASSERT_TRUE(store_
                    ->ImportRegister({{kClinic, "札幌中央病院", "0640809",
                                       "札幌市中央区南９条西１０丁目１番５０号", "1", "deduction"},
                                      {kOtherClinic, "医療法人 愛全病院", "0050813",
                                       "札幌市南区川沿１３条２丁目１番３８号", "1", "deduction"}},
                                     "test", "tester", clock_.Now())
                    .ok());
    Rebuild(RaOptions{});
  }

  void Rebuild(RaOptions options, bool fast_kdf = true) {
    options.holder = "test-host:1";
    if (fast_kdf) options.download_kdf = auth::KdfParams{1, 8 * 1024 * 1024};
    ra_ = std::make_unique<RegistrationAuthority>(
        *store_, issuer_.get(), *pool_, programs_,
        std::vector<X509*>{hierarchy_.issuing.get(), hierarchy_.root.get()}, *tariff_, *sealer_,
        clock_, std::move(options));
  }

  // Submits and expects success; returns the stored application.
  store::ApplicationRecord MustSubmit(const Caller& c, ApplicationForm f, std::string key = "") {
    auto r = ra_->Submit(c, std::move(f), key);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return {};
    EXPECT_TRUE(r->errors.empty()) << r->errors.front().field << ": " << r->errors.front().rule;
    return r->application;
  }

  // A pending application (automatic review off for this one).
  store::ApplicationRecord Pending(const Caller& c, ApplicationForm f = ClinicForm()) {
    RaOptions o;
    o.auto_review.enabled = false;
    Rebuild(o);
    auto a = MustSubmit(c, std::move(f));
    Rebuild(RaOptions{});
    return a;
  }

  int64_t AuditRows() {
    int64_t n = 0;
    EXPECT_TRUE(store_->VerifyAuditChain(&n).ok());
    return n;
  }

  FixedClock clock_{Instant{}};
  ca::testing::TestHierarchy hierarchy_;
  ca::ProgramRegistry programs_;
  std::unique_ptr<ca::Issuer> issuer_;
  std::unique_ptr<ca::KeyPool> pool_;
  std::optional<domain::Tariff> tariff_;
  std::optional<crypto::SealedBox> sealer_;
  std::unique_ptr<RegistrationAuthority> ra_;
};

}  // namespace claimsca::ra::test
