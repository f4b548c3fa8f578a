#include "api/api_error.h"

#include "json/json.h"

namespace flowstate::api {

std::string ErrorBody(const ApiError& error) {
  json::Json body = json::Json::object();
  body["__type"] = error.type;
  body["message"] = error.message;
  if (!error.resource_name.empty()) {
    body["resourceName"] = error.resource_name;
  }
  if (!error.reason.empty()) {
    body["reason"] = error.reason;
  }
  return json::Dump(body);
}

tl::unexpected<ApiError> MissingField(std::string_view field) {
  return Fail("ValidationException", "1 validation error detected: Value null at '" +
                                         std::string(field) +
                                         "' failed to satisfy constraint: Member must not be null");
}

tl::unexpected<ApiError> ConstraintViolation(std::string_view value, std::string_view field,
                                             std::string_view constraint) {
  return Fail("ValidationException",
              "1 validation error detected: Value '" + std::string(value) + "' at '" +
                  std::string(field) +
                  "' failed to satisfy constraint: " + std::string(constraint));
}

tl::unexpected<ApiError> SensitiveConstraintViolation(std::string_view field,
                                                      std::string_view constraint) {
  return Fail("ValidationException",
              "1 validation error detected: Value at '" + std::string(field) +
                  "' failed to satisfy constraint: " + std::string(constraint));
}

tl::unexpected<ApiError> WrongType(std::string_view field, std::string_view expected) {
  return Fail("SerializationException", "Unexpected value type for field '" + std::string(field) +
                                            "': expected " + std::string(expected));
}

}  // namespace flowstate::api
