#include "common/shared_library.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>

namespace claimsca {
namespace {

struct LibC {
  decltype(&::getpid) getpid = nullptr;
  decltype(&::strlen) strlen = nullptr;
};

TEST(SharedLibrary, BindsFunctionsThatWork) {
  Result<LibC> lib = BindLibrary<LibC>("libc.so.6", "libc6", [](SharedLibrary& so, LibC& api) {
    so.Bind(api.getpid, "getpid");
    so.Bind(api.strlen, "strlen");
  });
  ASSERT_TRUE(lib.ok()) << lib.status().message();
  EXPECT_EQ(lib->getpid(), ::getpid());
  EXPECT_EQ(lib->strlen("claimsca"), 8u);
}

TEST(SharedLibrary, MissingLibraryNamesItAndItsPackage) {
  Result<SharedLibrary> so = SharedLibrary::Open("libclaimsca-absent.so.7", "libclaimsca-absent7");
  ASSERT_FALSE(so.ok());
  EXPECT_EQ(so.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(so.status().message().find("libclaimsca-absent.so.7"), std::string::npos);
  EXPECT_NE(so.status().message().find("Debian package libclaimsca-absent7"), std::string::npos);
}

TEST(SharedLibrary, MissingFunctionFailsTheWholeTable) {
  Result<LibC> lib = BindLibrary<LibC>("libc.so.6", "libc6", [](SharedLibrary& so, LibC& api) {
    so.Bind(api.getpid, "getpid");
    so.Bind(api.strlen, "claimsca_no_such_function");
  });
  ASSERT_FALSE(lib.ok());
  EXPECT_EQ(lib.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(lib.status().message().find("claimsca_no_such_function"), std::string::npos);
}

}  // namespace
}  // namespace claimsca
