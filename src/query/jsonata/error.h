// JSONata errors: the code (S0xxx syntax, T type, D dynamic, U resource bound), its message
// text as jsonata-js words it, and where it happened. Inside this module evaluation unwinds by
// throwing Failure; the public API (expression.h) turns it into a value at the boundary.
#pragma once
#include <exception>
#include <optional>
#include <string>

#include "query/jsonata/value.h"

namespace flowstate::query::jsonata {

struct Error {
  std::string code;
  std::string message;
  int64_t position = -1;
  std::optional<std::string> token;
  std::optional<Value> value;
  std::optional<std::string> function_name;
};

class Failure : public std::exception {
 public:
  explicit Failure(Error error) : error_(std::move(error)) {}
  const char* what() const noexcept override { return error_.message.c_str(); }
  const Error& error() const { return error_; }
  Error& error() { return error_; }

 private:
  Error error_;
};

// Describes how a value is shown inside messages (JSON text, strings quoted).
std::string DescribeValue(const Value& v);

// Builds the error for `code` with jsonata-js's message template filled in.
Error MakeError(const std::string& code, int64_t position = -1,
                std::optional<std::string> token = std::nullopt,
                std::optional<Value> value = std::nullopt,
                std::optional<Value> value2 = std::nullopt);

[[noreturn]] void Fail(const std::string& code, int64_t position = -1,
                       std::optional<std::string> token = std::nullopt,
                       std::optional<Value> value = std::nullopt,
                       std::optional<Value> value2 = std::nullopt);

// An error whose message is given verbatim ($error, $assert and friends).
[[noreturn]] void FailWithMessage(const std::string& code, std::string message,
                                  int64_t position = -1);

}  // namespace flowstate::query::jsonata
