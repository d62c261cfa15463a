#include "portal/render.h"

#include <gtest/gtest.h>

#include "portal/embedded.h"

namespace claimsca::portal {
namespace {

TEST(RenderPage, EscapesUserTextEverywhere) {
  nlohmann::json data = {
      {"title", "<b>x</b>"},
      {"message", "<script>alert(1)</script> \"q\" 'a' & テスト中です#%& * > ? @"},
      {"back", "/portal/\"><img src=x>"},
      {"back_label", "戻る"}};
  auto html = RenderPage("message", data);
  ASSERT_TRUE(html.ok()) << html.status().ToString();
  EXPECT_EQ(html->find("<script>alert(1)"), std::string::npos);
  EXPECT_NE(html->find("&lt;script&gt;alert(1)&lt;/script&gt; &quot;q&quot; &apos;a&apos; &amp; "
                       "テスト中です#%&amp; * &gt; ? @"),
            std::string::npos);
  EXPECT_EQ(html->find("<img src=x>"), std::string::npos);
  EXPECT_NE(html->find("<title>&lt;b&gt;x&lt;/b&gt; |"), std::string::npos);
  EXPECT_NE(html->find("<link rel=\"stylesheet\" href=\"/static/portal.css\">"), std::string::npos);
}

TEST(RenderPage, AnEmptyStringSkipsItsSection) {
  auto with = RenderPage("message", {{"title", "t"}, {"back", "/portal/"}, {"back_label", "戻る"}});
  auto without = RenderPage("message", {{"title", "t"}, {"back", ""}, {"back_label", "戻る"}});
  ASSERT_TRUE(with.ok() && without.ok());
  EXPECT_NE(with->find("href=\"/portal/\">戻る</a>"), std::string::npos);
  EXPECT_EQ(without->find(">戻る</a>"), std::string::npos);
}

TEST(RenderPage, EveryTemplateParsesAndRendersWithoutData) {
  int templates = 0;
  for (const auto& f : internal::EmbeddedFiles()) {
    std::string_view name = f.name;
    if (!name.starts_with("templates/")) continue;
    name.remove_prefix(10);
    name.remove_suffix(9);
    auto html = RenderPage(name, nlohmann::json::object());
    EXPECT_TRUE(html.ok()) << name << ": " << html.status().ToString();
    ++templates;
  }
  EXPECT_GE(templates, 10);
  EXPECT_FALSE(RenderPage("no_such_template", {}).ok());
}

TEST(RenderPage, NoTemplateUsesTripleBracesButTheLayout) {
  for (const auto& f : internal::EmbeddedFiles()) {
    if (!f.name.starts_with("templates/")) continue;
    size_t triples = 0;
    for (size_t p = f.text.find("{{{"); p != std::string_view::npos;
         p = f.text.find("{{{", p + 3)) {
      ++triples;
    }
    EXPECT_EQ(triples, f.name == "templates/layout.mustache" ? 1u : 0u) << f.name;
    EXPECT_EQ(f.text.find("{{&"), std::string_view::npos) << f.name;
  }
}

TEST(StaticFile, ServesTheStylesheetAndScript) {
  ASSERT_TRUE(StaticFile("portal.css").has_value());
  EXPECT_NE(StaticFile("portal.css")->find("@media"), std::string_view::npos);
  ASSERT_TRUE(StaticFile("portal.js").has_value());
  EXPECT_NE(StaticFile("portal.js")->find("window.confirm"), std::string_view::npos);
  EXPECT_FALSE(StaticFile("../portal.cc").has_value());
}

}  // namespace
}  // namespace claimsca::portal
