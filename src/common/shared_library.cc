#include "common/shared_library.h"

#include <dlfcn.h>

namespace claimsca {

Result<SharedLibrary> SharedLibrary::Open(const std::string& soname, const std::string& package) {
  void* handle = dlopen(soname.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    return FailedPrecondition("cannot load " + soname + " (Debian package " + package +
                              "): " + (why != nullptr ? why : "unknown error"));
  }
  return SharedLibrary(handle, soname);
}

void* SharedLibrary::Symbol(const char* name) {
  void* sym = dlsym(handle_, name);
  if (sym == nullptr && missing_.empty()) missing_ = name;
  return sym;
}

Status SharedLibrary::status() const {
  if (missing_.empty()) return Status();
  return FailedPrecondition(soname_ + " lacks the function " + missing_ +
                            " (an older version than claimsca was built with?)");
}

}  // namespace claimsca
