#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace claimsca {

// Stable error codes. Only src/web maps them to HTTP statuses and user-facing text;
// everything below the web edge carries the code plus an English message for logs.
enum class Code {
  kOk = 0,
  kInvalidArgument,  // malformed input from a caller (bad field, bad syntax)
  kBadCsr,           // CSR unparsable or its signature (proof of possession) fails
  kUnauthorized,     // no or wrong credentials
  kForbidden,        // authenticated but not allowed
  kNotFound,
  kConflict,  // state does not allow the operation, or a uniqueness clash
  kRateLimited,
  kLintFailed,  // a to-be-signed certificate broke the profile; never signed
  kFailedPrecondition,
  kUnavailable,  // a dependency (database, token) is not reachable; retry later
  kInternal,     // a broken invariant or an unexpected library failure
};

// Short machine name of a code, e.g. "bad_csr"; stable, used in API error bodies.
std::string_view CodeName(Code code);

// An error as a value. Cheap to copy when ok.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy with "context: " prepended to the message.
  Status WithContext(std::string_view context) const;
  // "bad_csr: signature does not verify"
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
inline Status Conflict(std::string m) { return {Code::kConflict, std::move(m)}; }
inline Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }
inline Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
inline Status FailedPrecondition(std::string m) {
  return {Code::kFailedPrecondition, std::move(m)};
}

// Result<T>: either a T or a non-ok Status. (GCC 12 has no std::expected in C++20.)
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    if (std::get<Status>(v_).ok()) v_ = Status(Code::kInternal, "Result built from ok Status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  // Preconditions: ok().
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace claimsca

#define CLAIMSCA_CONCAT_INNER(a, b) a##b
#define CLAIMSCA_CONCAT(a, b) CLAIMSCA_CONCAT_INNER(a, b)

// RETURN_IF_ERROR(expr): returns the Status of expr if it is not ok.
#define RETURN_IF_ERROR(expr)        \
  do {                               \
    ::claimsca::Status _st = (expr); \
    if (!_st.ok()) return _st;       \
  } while (0)

// ASSIGN_OR_RETURN(lhs, expr): evaluates a Result<T>; on error returns its Status,
// otherwise moves the value into lhs (which may be a declaration).
#define ASSIGN_OR_RETURN(lhs, expr)                                                             \
  auto CLAIMSCA_CONCAT(_res_, __LINE__) = (expr);                                               \
  if (!CLAIMSCA_CONCAT(_res_, __LINE__).ok()) return CLAIMSCA_CONCAT(_res_, __LINE__).status(); \
  lhs = std::move(CLAIMSCA_CONCAT(_res_, __LINE__)).value()
