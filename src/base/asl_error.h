// AslError is an Amazon States Language runtime error: a name such as "States.Runtime" or
// "Lambda.ServiceException" and its cause text. It is data that flows through Retry and Catch
// into history events, never an exception and never a Status (STYLE.md §4).
#pragma once

#include <optional>
#include <string>

namespace flowstate::base {

struct AslError {
  std::string error;
  std::string cause;
  // Set for a JSONata evaluation failure (States.QueryEvaluationError): the field that failed
  // ("Output/result", "Items"; empty when AWS names none). The engine records it in an
  // EvaluationFailed event.
  std::optional<std::string> evaluation_location = std::nullopt;
};

}  // namespace flowstate::base
