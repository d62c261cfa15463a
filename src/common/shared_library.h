#pragma once

// Libraries that only some commands need, opened with dlopen on first use instead of being
// linked into the binary: libpq (PostgreSQL), libcurl (SMTP) and pango/cairo (PDF notices).
// Each linked library is mapped and relocated at every process start, and the three bring
// 61 of the binary's 73 libraries, about 40 ms per command on a paravirtualised machine
// (docs/benchmarks.md, "Process start"). A command that never touches PostgreSQL, mail or
// PDFs (`claimsca crl`, `sign`, `jobs run` on SQLite) now loads none of them.
//
// Each user declares a table of function pointers whose types come from the library's own
// header (decltype(&::PQexec)), so every call is still type-checked at compile time, and
// binds it once per process:
//
//   #define LIBPQ_FUNCTIONS(X) X(PQconnectdb) X(PQfinish)
//   struct LibPq { LIBPQ_FUNCTIONS(CLAIMSCA_DECLARE_FUNCTION) };
//   const Result<LibPq>& Load() {
//     static const Result<LibPq> lib = [] { return BindLibrary<LibPq>("libpq.so.5", "libpq5",
//         [](SharedLibrary& so, LibPq& api) { LIBPQ_FUNCTIONS(CLAIMSCA_BIND_FUNCTION) }); }();
//     return lib;
//   }

#include <string>
#include <utility>

#include "common/status.h"

namespace claimsca {

class SharedLibrary {
 public:
  // dlopen(soname, RTLD_NOW | RTLD_LOCAL). The handle is kept for the life of the process,
  // so the functions bound from it stay valid. FailedPrecondition names the library and the
  // Debian package that provides it.
  static Result<SharedLibrary> Open(const std::string& soname, const std::string& package);

  // Sets `fn` to the function `name` (looked up in the library and its dependencies); a
  // missing one is remembered and reported by status().
  template <typename Fn>
  void Bind(Fn*& fn, const char* name) {
    fn = reinterpret_cast<Fn*>(Symbol(name));
  }

  // Ok when every Bind found its function; otherwise FailedPrecondition naming the first
  // one missing.
  Status status() const;

 private:
  SharedLibrary(void* handle, std::string soname) : handle_(handle), soname_(std::move(soname)) {}
  void* Symbol(const char* name);

  void* handle_;
  std::string soname_;
  std::string missing_;
};

// Opens `soname` and fills a table of type Api with bind(so, api).
template <typename Api, typename BindFn>
Result<Api> BindLibrary(const std::string& soname, const std::string& package, BindFn bind) {
  ASSIGN_OR_RETURN(SharedLibrary so, SharedLibrary::Open(soname, package));
  Api api{};
  bind(so, api);
  RETURN_IF_ERROR(so.status());
  return api;
}

}  // namespace claimsca

// A member `name` of the table, typed from the library's declaration of `name`.
#define CLAIMSCA_DECLARE_FUNCTION(name) decltype(&::name) name = nullptr;
// Inside a bind function whose parameters are `so` and `api`.
#define CLAIMSCA_BIND_FUNCTION(name) so.Bind(api.name, #name);
