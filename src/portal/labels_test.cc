// The console's labels (labels.h) against the code: every application state, shipping
// status, channel, automatic-review rule and audit action the code can write has a Japanese
// label. The values are read from the source tree (CLAIMSCA_SOURCE_DIR), so adding one
// without its label fails here.

#include "portal/labels.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "ra/registration_authority.h"

namespace claimsca::portal::labels {
namespace {

std::string ReadSource(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Src(const std::string& rel) {
  const std::string text = ReadSource(std::filesystem::path(CLAIMSCA_SOURCE_DIR) / rel);
  EXPECT_FALSE(text.empty()) << rel << " not found under " << CLAIMSCA_SOURCE_DIR;
  return text;
}

// The enumerators of `enum class <name> { … };` in `text`.
int Enumerators(const std::string& text, const std::string& name) {
  std::smatch m;
  const std::regex re("enum class " + name + " \\{([^}]*)\\}");
  if (!std::regex_search(text, m, re)) return 0;
  const std::string body = m[1];
  int n = 0;
  const std::regex enumerator("\\bk[A-Z]\\w*");
  for (std::sregex_iterator it(body.begin(), body.end(), enumerator), end; it != end; ++it) {
    ++n;
  }
  return n;
}

bool HasJapanese(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return (c & 0x80) != 0; });
}

TEST(LabelsTest, EveryApplicationStateHasALabel) {
  const int n = Enumerators(Src("src/store/store.h"), "ApplicationState");
  ASSERT_GE(n, 5);
  for (int i = 0; i < n; ++i) {
    const auto s = static_cast<store::ApplicationState>(i);
    EXPECT_TRUE(HasJapanese(State(s))) << store::ApplicationStateName(s);
  }
}

TEST(LabelsTest, EveryShippingStatusHasALabel) {
  const int n = Enumerators(Src("src/store/store.h"), "ShippingStatus");
  ASSERT_GE(n, 4);
  std::set<std::string> seen;
  for (int i = 0; i < n; ++i) {
    const std::string label = Shipping(static_cast<store::ShippingStatus>(i));
    EXPECT_TRUE(HasJapanese(label)) << i;
    EXPECT_TRUE(seen.insert(label).second) << label << " twice";
  }
}

TEST(LabelsTest, EveryChannelHasALabel) {
  const int n = Enumerators(Src("src/ra/registration_authority.h"), "Channel");
  ASSERT_GE(n, 4);
  for (int i = 0; i < n; ++i) {
    const std::string_view name = ra::ChannelName(static_cast<ra::Channel>(i));
    EXPECT_NE(Channel(name), "その他の経路") << name;
  }
  EXPECT_EQ(Channel("operator"), "運用者の代理入力（郵送・電話）");
  EXPECT_EQ(Channel("no-such"), "その他の経路");
}

// Every rule name RegistrationAuthority::HoldReason returns.
TEST(LabelsTest, EveryHoldReasonHasALabel) {
  const std::string text = Src("src/ra/registration_authority.cc");
  const size_t start = text.find("RegistrationAuthority::HoldReason(");
  ASSERT_NE(start, std::string::npos);
  const std::string body = text.substr(start, text.find("\n}\n", start) - start);
  std::set<std::string> rules;
  const std::regex re("return \"([a-z_]+)\"");
  for (std::sregex_iterator it(body.begin(), body.end(), re), end; it != end; ++it) {
    rules.insert((*it)[1]);
  }
  ASSERT_GE(rules.size(), 3u);
  const auto known = KnownHoldReasons();
  for (const std::string& r : rules) {
    EXPECT_NE(std::find(known.begin(), known.end(), r), known.end()) << r;
    EXPECT_NE(HoldReason(r), "自動審査の対象外です") << r;
  }
}

// Every audit action string of the families an application's history shows, as written
// anywhere in src/ (tests excluded), has a label.
TEST(LabelsTest, EveryAuditActionInTheCodeHasALabel) {
  const std::regex re(
      "\"((application|certificate|download|download_password|notice|terminal|cmp|account|"
      "register)\\.[a-z_]+(\\.[a-z_]+)?)\"");
  const std::set<std::string> files = {"pdf",  "csv", "pem", "key",  "der",  "txt", "db",
                                       "log",  "js",  "css", "toml", "xlsx", "ext", "json",
                                       "html", "p12", "crt", "sh",   "py"};
  std::set<std::string> actions;
  for (const auto& e : std::filesystem::recursive_directory_iterator(
           std::filesystem::path(CLAIMSCA_SOURCE_DIR) / "src")) {
    const std::string path = e.path().string();
    if (!e.is_regular_file() || path.ends_with("_test.cc") ||
        path.find("/portal/labels") != std::string::npos ||
        !(path.ends_with(".cc") || path.ends_with(".h"))) {
      continue;
    }
    const std::string text = ReadSource(e.path());
    for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it) {
      const std::string a = (*it)[1];
      if (files.count(a.substr(a.rfind('.') + 1)) != 0) continue;
      actions.insert(a);
    }
  }
  ASSERT_GE(actions.size(), 15u);
  for (const std::string& a : actions) {
    EXPECT_TRUE(FindAction(a).has_value()) << a << " has no label in src/portal/labels.cc";
  }
  EXPECT_EQ(Action("no.such.action"), "その他の記録");
}

TEST(LabelsTest, DetailsAreJapaneseRowsNeverJson) {
  auto rows = Details(
      "application.submit",
      R"({"institution_code":"0110112489","channel":"portal","hold_reason":"name_mismatch","x":1})");
  ASSERT_EQ(rows.size(), 3u);
  for (const auto& r : rows) {
    EXPECT_TRUE(HasJapanese(r.label));
    EXPECT_EQ(r.value.find('{'), std::string::npos);
  }
  std::set<std::string> values;
  for (const auto& r : rows) values.insert(r.value);
  EXPECT_TRUE(values.count("ポータル"));
  EXPECT_TRUE(values.count("名称が登録簿と一致しません"));
  auto revoke = Details("application.revoke", R"({"serial":"0a","reason":5})");
  ASSERT_EQ(revoke.size(), 2u);
  EXPECT_EQ(revoke[0].label, "理由");
  EXPECT_EQ(revoke[0].value, "運用の終了（廃止・端末撤去）");
  EXPECT_TRUE(Details("x", "not json").empty());
  auto dated =
      Details("application.approve", R"({"download_deadline":"2027-06-05T23:59:59+09:00"})");
  ASSERT_EQ(dated.size(), 1u);
  EXPECT_EQ(dated[0].value, "2027/06/05 23:59");
}

TEST(LabelsTest, Actors) {
  EXPECT_EQ(Actor("operator:tanaka"), "運用者 tanaka");
  EXPECT_EQ(Actor("download:192.0.2.1"), "ダウンロードサイト（接続元 192.0.2.1）");
  EXPECT_EQ(Actor("system:notices"), "システム（自動処理）");
  EXPECT_EQ(Actor("network:anonymous"), "申請者（ネットワーク端末）");
}

}  // namespace
}  // namespace claimsca::portal::labels
