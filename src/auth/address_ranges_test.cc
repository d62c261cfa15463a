#include "auth/address_ranges.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace claimsca::auth {
namespace {

TEST(AddressRangesTest, ParsesAndPrintsCanonically) {
  auto r = AddressRanges::Parse(
      " 10.0.0.0/8,192.168.1.0/24 , ::1/128,\n  2001:DB8::/32,\t172.16.0.5 \n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->size(), 5u);
  EXPECT_EQ(r->ToString(), "10.0.0.0/8, 192.168.1.0/24, ::1/128, 2001:db8::/32, 172.16.0.5/32");
}

TEST(AddressRangesTest, EmptyListContainsNothing) {
  for (const char* text : {"", "   ", "\n\t "}) {
    auto r = AddressRanges::Parse(text);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->empty());
    EXPECT_FALSE(r->Contains("127.0.0.1"));
    EXPECT_FALSE(r->Contains("::1"));
  }
}

struct ContainsCase {
  std::string ip;
  bool inside;
};

TEST(AddressRangesTest, ContainsTable) {
  auto r = AddressRanges::Parse(
      "10.0.0.0/8, 192.168.1.0/24, 172.16.0.0/12, 203.0.113.7/32, "
      "::1/128, 2001:db8:abcd::/48, fc00::/7");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const std::vector<ContainsCase> cases = {
      {"10.0.0.0", true},
      {"10.255.255.255", true},
      {"9.255.255.255", false},
      {"11.0.0.0", false},
      {"192.168.1.0", true},
      {"192.168.1.255", true},
      {"192.168.0.255", false},
      {"192.168.2.0", false},
      {"172.16.0.0", true},  // /12: 172.16.0.0 – 172.31.255.255
      {"172.31.255.255", true},
      {"172.32.0.0", false},
      {"172.15.255.255", false},
      {"203.0.113.7", true},
      {"203.0.113.6", false},
      {"203.0.113.8", false},
      {"::1", true},
      {"::2", false},
      {"0:0:0:0:0:0:0:1", true},
      {"2001:db8:abcd::", true},
      {"2001:db8:abcd:ffff:ffff:ffff:ffff:ffff", true},
      {"2001:db8:abce::", false},
      {"2001:DB8:ABCD::1", true},
      {"fd12:3456::1", true},  // fc00::/7 covers fc00:: – fdff:ffff:…
      {"fc00::1", true},
      {"fe00::1", false},
      // IPv4-mapped IPv6, as a dual-stack socket reports IPv4 clients.
      {"::ffff:10.1.2.3", true},
      {"::ffff:11.1.2.3", false},
      {"::ffff:0a01:0203", true},
      // Not an address.
      {"", false},
      {"10.0.0", false},
      {"10.0.0.1.2", false},
      {"010.0.0.1", false},
      {"10.0.0.1/32", false},
      {" 10.0.0.1", false},
      {"fe80::1%eth0", false},
      {"[::1]", false},
      {"localhost", false},
      {std::string("10.0.0.1\0", 9), false},
      {std::string(100, '1'), false},
  };
  for (const ContainsCase& c : cases) EXPECT_EQ(r->Contains(c.ip), c.inside) << c.ip;
}

TEST(AddressRangesTest, EverythingBlocks) {
  auto r = AddressRanges::Parse("0.0.0.0/0, ::/0");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->Contains("0.0.0.0"));
  EXPECT_TRUE(r->Contains("255.255.255.255"));
  EXPECT_TRUE(r->Contains("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
  auto v4 = AddressRanges::Parse("0.0.0.0/0");
  ASSERT_TRUE(v4.ok());
  EXPECT_FALSE(v4->Contains("::1"));  // families do not mix
  EXPECT_TRUE(v4->Contains("::ffff:1.2.3.4"));
}

TEST(AddressRangesTest, RefusesGarbage) {
  for (const char* text : {"10.0.0.0/33",
                           "::/129",
                           "10.0.0.0/-1",
                           "10.0.0.0/",
                           "10.0.0.0/8x",
                           "10.0.0.0/ 8",
                           "10.0.0.0/+8",
                           "10.0.0.0/0008",
                           "10.0.0.1/8",
                           "192.168.1.1/24",
                           "2001:db8::1/32",
                           "10.0.0.256",
                           "10.0.0",
                           "host.example.jp",
                           "10.0.0.0/8,",
                           ",10.0.0.0/8",
                           "10.0.0.0/8,,::1",
                           "::ffff:10.0.0.0/104",
                           "fe80::1%eth0",
                           "10.0.0.0/8 192.168.0.0/16",
                           "*"}) {
    auto r = AddressRanges::Parse(text);
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << text;
  }
  auto r = AddressRanges::Parse("10.0.0.0/8, bogus");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("bogus"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace claimsca::auth
