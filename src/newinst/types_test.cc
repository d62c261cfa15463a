#include "newinst/types.h"

#include <gtest/gtest.h>

namespace claimsca::newinst {
namespace {

TEST(NewinstTypes, NamesRoundTrip) {
  for (State s : {State::kProvisional, State::kPresented, State::kDesignated, State::kWithdrawn}) {
    ASSERT_TRUE(ParseState(Name(s)).has_value());
    EXPECT_EQ(*ParseState(Name(s)), s);
    EXPECT_FALSE(JapaneseName(s).empty());
  }
  EXPECT_FALSE(ParseState("Provisional").has_value());
  EXPECT_TRUE(IsOpen(State::kPresented));
  EXPECT_FALSE(IsOpen(State::kDesignated));
}

}  // namespace
}  // namespace claimsca::newinst
