// The 国保連 templates (docs/kokuhoren.md "Pages"): the 電子請求受付システム layout, escaping
// of what the accounts and offices bring, and the 利用規約 with its check box at the end.

#include <gtest/gtest.h>

#include "portal/render.h"

namespace claimsca::portal {
namespace {

TEST(KokuhorenRender, LayoutIsTheClaimsSystemsWithItsMenuAndScript) {
  auto html = RenderPage("kj_menu", {{"kj", true},
                                     {"kj_user", "KJ12345678"},
                                     {"kj_menu", true},
                                     {"name", "<b>さくら</b>"},
                                     {"user", "kj12345678"},
                                     {"csrf", "abc"}});
  ASSERT_TRUE(html.ok()) << html.status().ToString();
  EXPECT_NE(html->find("<div class=\"brand\">電子請求受付システム</div>"), std::string::npos);
  EXPECT_EQ(html->find("オンライン請求ネットワーク関連システム共通認証局"), std::string::npos);
  EXPECT_NE(html->find("<script src=\"/static/kokuhoren.js\" defer></script>"), std::string::npos);
  EXPECT_NE(html->find("action=\"/kj/logout\""), std::string::npos);
  EXPECT_EQ(html->find("action=\"/portal/logout\""), std::string::npos);
  EXPECT_EQ(html->find("<b>さくら</b>"), std::string::npos);
  EXPECT_NE(html->find("&lt;b&gt;さくら&lt;/b&gt;"), std::string::npos);
}

TEST(KokuhorenRender, CommonPagesKeepTheirLayout) {
  auto html = RenderPage("message", {{"title", "t"}, {"user", "clinic@example.jp"}});
  ASSERT_TRUE(html.ok());
  EXPECT_NE(html->find("オンライン請求ネットワーク関連システム共通認証局"), std::string::npos);
  EXPECT_EQ(html->find("kokuhoren.js"), std::string::npos);
}

TEST(KokuhorenRender, TheAgreeBoxComesAfterTheLastArticleOfTheTerms) {
  auto html = RenderPage("kj_apply", {{"kj", true},
                                      {"confirm", true},
                                      {"agent", true},
                                      {"terms", "v1"},
                                      {"state", "00ff"},
                                      {"offset_user_id", "KJ00000001"},
                                      {"payment_ja", "相殺"}});
  ASSERT_TRUE(html.ok());
  const size_t terms = html->find("id=\"terms\"");
  const size_t last = html->find("第8条");
  const size_t agree = html->find("id=\"agree\"");
  const size_t end = html->find("</div>", terms);
  ASSERT_NE(terms, std::string::npos);
  ASSERT_NE(last, std::string::npos);
  ASSERT_NE(agree, std::string::npos);
  EXPECT_LT(terms, last);
  EXPECT_LT(last, agree);
  EXPECT_LT(agree, end) << "the check box is inside the scrolled box";
  EXPECT_NE(html->find("name=\"step\" value=\"submit\""), std::string::npos);
  EXPECT_NE(html->find("KJ00000001"), std::string::npos);
}

}  // namespace
}  // namespace claimsca::portal
