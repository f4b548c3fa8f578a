// ApiError is an AWS JSON 1.0 error answer: `{"__type": type, "message": message}` with AWS's
// HTTP status (AWS-REFERENCE.md §2). Every error the API returns is built here, so the shape is
// the same everywhere. ApiResult<T> is a T or the ApiError to answer instead.
#pragma once

#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace flowstate::api {

struct ApiError {
  std::string type;  // "InvalidArn", "ValidationException", ...
  std::string message;
  int http_status = 400;
  // Extra members of some errors: ResourceNotFound/TooManyTags `resourceName`,
  // ValidationException `reason` (AWS-REFERENCE.md §2). Omitted when empty.
  std::string resource_name{};
  std::string reason{};
};

template <typename T>
using ApiResult = tl::expected<T, ApiError>;

inline tl::unexpected<ApiError> Fail(std::string type, std::string message, int status = 400) {
  return tl::unexpected<ApiError>(ApiError{std::move(type), std::move(message), status});
}

// The response body of an error.
std::string ErrorBody(const ApiError& error);

// Common constructors, with AWS's message texts.
// "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must
// not be null"
tl::unexpected<ApiError> MissingField(std::string_view field);
// A constraint of the API model failed (length, range, enum): ValidationException.
tl::unexpected<ApiError> ConstraintViolation(std::string_view value, std::string_view field,
                                             std::string_view constraint);
// The same for sensitive members (definition, input, error, cause): AWS does not echo them.
tl::unexpected<ApiError> SensitiveConstraintViolation(std::string_view field,
                                                      std::string_view constraint);
// The body or a member has the wrong JSON type: SerializationException.
tl::unexpected<ApiError> WrongType(std::string_view field, std::string_view expected);

}  // namespace flowstate::api
