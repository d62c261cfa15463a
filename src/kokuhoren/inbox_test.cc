#include "kokuhoren/inbox.h"

#include <gtest/gtest.h>

#include "kokuhoren/accounts_test_fixture.h"

namespace claimsca::kokuhoren {
namespace {

using std::chrono::seconds;

class InboxTest : public testing::KjStoreTest {};

InboxMessage Message(const std::string& account, const std::string& key) {
  InboxMessage m;
  m.account_id = account;
  m.dedupe_key = key;
  m.title = "証明書有効期限切れ事前通知";
  m.body = "証明書の有効期限が近づいています。";
  return m;
}

TEST_P(InboxTest, PostOnceListReadAndAttachment) {
  const Registration a = AddOffice(testing::kOffice1);
  const Registration b = AddOffice(testing::kOffice2);
  auto posted = PostMessage(*store_, Message(a.account_id, "expiry:1"), kT0);
  ASSERT_TRUE(posted.ok()) << posted.status().ToString();
  EXPECT_TRUE(*posted);
  // The same key again (a job run twice): nothing new.
  auto again = PostMessage(*store_, Message(a.account_id, "expiry:1"), kT0 + seconds(60));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);

  InboxMessage zip = Message(a.account_id, "reissue:" + a.account_id + ":2");
  zip.title = "証明書発行用パスワード通知書";
  zip.attachment_name = "証明書発行用パスワード通知書.zip";
  zip.attachment = std::string("PK\x03\x04\x00\xff\x80 bytes", 13);  // NUL and high bytes
  ASSERT_TRUE(*PostMessage(*store_, zip, kT0 + seconds(10)));

  auto list = ListMessages(*store_, a.account_id);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].title, "証明書発行用パスワード通知書");  // newest first
  EXPECT_EQ((*list)[0].attachment_name, "証明書発行用パスワード通知書.zip");
  EXPECT_TRUE((*list)[0].attachment.empty());  // bytes only from GetMessage
  EXPECT_EQ((*list)[1].attachment_name, "");
  EXPECT_EQ(*UnreadCount(*store_, a.account_id), 2);

  auto got = GetMessage(*store_, a.account_id, (*list)[0].message_id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->attachment, zip.attachment);
  EXPECT_EQ(got->created_at, kT0 + seconds(10));
  EXPECT_FALSE(got->read_at.has_value());

  // Another account: not found, as for a message that does not exist.
  EXPECT_EQ(GetMessage(*store_, b.account_id, (*list)[0].message_id).status().code(),
            Code::kNotFound);
  EXPECT_EQ(MarkRead(*store_, b.account_id, (*list)[0].message_id, kT0).code(), Code::kNotFound);
  EXPECT_EQ(MarkRead(*store_, a.account_id, 999999, kT0).code(), Code::kNotFound);
  EXPECT_TRUE(ListMessages(*store_, b.account_id)->empty());

  ASSERT_OK(MarkRead(*store_, a.account_id, (*list)[0].message_id, kT0 + seconds(100)));
  ASSERT_OK(MarkRead(*store_, a.account_id, (*list)[0].message_id, kT0 + seconds(200)));
  got = GetMessage(*store_, a.account_id, (*list)[0].message_id);
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->read_at.has_value());
  EXPECT_EQ(*got->read_at, kT0 + seconds(100));  // the first reading is kept
  EXPECT_EQ(*UnreadCount(*store_, a.account_id), 1);
}

TEST_P(InboxTest, Refusals) {
  const Registration a = AddOffice(testing::kOffice1);
  InboxMessage m = Message(a.account_id, "k");
  m.title = "";
  EXPECT_EQ(PostMessage(*store_, m, kT0).status().code(), Code::kInvalidArgument);
  m = Message(a.account_id, "");
  EXPECT_EQ(PostMessage(*store_, m, kT0).status().code(), Code::kInvalidArgument);
  m = Message(a.account_id, "k");
  m.attachment = "bytes";
  EXPECT_EQ(PostMessage(*store_, m, kT0).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(PostMessage(*store_, Message("kj00000000", "k"), kT0).status().code(), Code::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(Backends, InboxTest, ::testing::Values("sqlite", "postgres"),
                         store::test::BackendName);

}  // namespace
}  // namespace claimsca::kokuhoren
