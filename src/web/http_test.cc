#include "web/http.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "web/route_table.h"

namespace claimsca::web {
namespace {

Handler Say(std::string what) {
  return [what](const Request&) { return Response::Text(what); };
}

Request Req(std::string_view method, std::string path) {
  Request r;
  r.method = method;
  r.path = std::move(path);
  return r;
}

TEST(RouterTest, ExactBeatsPrefixAndLongestPrefixWins) {
  Router router;
  router.Handle("GET", "/a/", true, Say("prefix-a"));
  router.Handle("GET", "/a/b/", true, Say("prefix-ab"));
  router.Handle("GET", "/a/b/c", false, Say("exact"));
  EXPECT_EQ(router.Serve(Req("GET", "/a/b/c")).body, "exact");
  EXPECT_EQ(router.Serve(Req("GET", "/a/b/cd")).body, "prefix-ab");
  EXPECT_EQ(router.Serve(Req("GET", "/a/x")).body, "prefix-a");
  EXPECT_EQ(router.Serve(Req("GET", "/b")).status, 404);
}

TEST(RouterTest, ListsItsRoutesOnceEachInRegistrationOrder) {
  Router r;
  r.Handle("GET", "/a", false, Say("a"));
  r.Handle("POST", "/a", false, Say("a"));
  r.Handle("GET", "/ocsp/", true, Say("p"));
  r.HandleAsync("POST", "/x", false, [](const Request&, Reply reply) { reply.Send({}); });
  r.Handle("GET", "/a", false, Say("again"));  // replaces, not a second row
  EXPECT_EQ(RouteTable(r),
            (std::vector<std::string>{"GET /a", "POST /a", "GET /ocsp/*", "POST /x"}));
  EXPECT_TRUE(RouteTable(Router{}).empty());
}

TEST(RouterTest, MethodFallsThroughToPrefixThen405) {
  Router router;
  router.Handle("POST", "/api/certs", false, Say("post"));
  router.Handle("GET", "/api/", true, Say("get-prefix"));
  EXPECT_EQ(router.Serve(Req("GET", "/api/certs")).body, "get-prefix");
  Response r = router.Serve(Req("DELETE", "/api/certs"));
  EXPECT_EQ(r.status, 405);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Allow");
  EXPECT_EQ(r.headers[0].second, "POST");
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["error"]["code"], "method_not_allowed");
}

TEST(RouterTest, ServeWaitsForAnAsyncHandler) {
  Router router;
  router.HandleAsync("GET", "/a", false, [](const Request& r, Reply reply) {
    if (r.query == "offload") return reply.Offload([] { return Response::Text("offloaded"); });
    std::thread([reply] { reply.Send(Response::Text("later", 202)); }).detach();
  });
  Response r = router.Serve(Req("GET", "/a"));
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(r.body, "later");
  Request offload = Req("GET", "/a");
  offload.query = "offload";
  EXPECT_EQ(router.Serve(offload).body, "offloaded");
  // Registered again as a plain handler, the route is plain.
  router.Handle("GET", "/a", false, [](const Request&) { return Response::Text("plain"); });
  EXPECT_EQ(router.Serve(Req("GET", "/a")).body, "plain");
}

TEST(RouterTest, HeadUsesGetWithoutBody) {
  Router router;
  router.Handle("GET", "/x", false, Say("hello"));
  Response r = router.Serve(Req("HEAD", "/x"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(router.Find("HEAD", "/x").route->method, "GET");
}

TEST(RouterTest, ReRegistrationReplaces) {
  Router router;
  router.Handle("GET", "/x", false, Say("one"));
  router.Handle("GET", "/x", false, Say("two"));
  EXPECT_EQ(router.routes().size(), 1u);
  EXPECT_EQ(router.Serve(Req("GET", "/x")).body, "two");
}

TEST(RouterTest, ThrowingHandlerGives500) {
  Router router;
  router.Handle("GET", "/boom", false,
                [](const Request&) -> Response { throw std::runtime_error("x"); });
  EXPECT_EQ(router.Serve(Req("GET", "/boom")).status, 500);
}

TEST(ResponseTest, ErrorIsEscapedJson) {
  Response r = Response::Error(400, "bad_csr", "quote \" backslash \\ newline \n \x01");
  EXPECT_EQ(r.content_type, "application/json");
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["error"]["code"], "bad_csr");
  EXPECT_EQ(j["error"]["message"], "quote \" backslash \\ newline \n \x01");
}

TEST(ResponseTest, FromStatusMapsCodes) {
  EXPECT_EQ(Response::FromStatus(NotFound("no cert")).status, 404);
  EXPECT_EQ(Response::FromStatus(Unavailable("db")).status, 503);
  EXPECT_EQ(Response::FromStatus(Status(Code::kBadCsr, "sig")).status, 400);
  auto j = nlohmann::json::parse(Response::FromStatus(Conflict("dup")).body);
  EXPECT_EQ(j["error"]["code"], "conflict");
}

TEST(RequestTest, HeaderIsCaseInsensitive) {
  Request r;
  r.headers = {{"Content-Type", "application/ocsp-request"}, {"X-A", "1"}};
  EXPECT_EQ(r.Header("content-type"), "application/ocsp-request");
  EXPECT_EQ(r.Header("x-a"), "1");
  EXPECT_EQ(r.Header("missing"), "");
}

}  // namespace
}  // namespace claimsca::web
