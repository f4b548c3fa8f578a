#include "api/arns.h"

#include <cstdint>
#include <vector>

namespace flowstate::api {
namespace {

constexpr size_t kMaxNameChars = 80;
constexpr std::string_view kForbiddenAscii = "<>{}[]?*\"#%\\^|~`$&,;:/";

std::string Prefix(const ArnScope& scope) {
  return "arn:aws:states:" + scope.region + ":" + scope.account + ":";
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(separator, start);
    if (end == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

// Decodes one UTF-8 code point at `pos`, advancing it; returns UINT32_MAX on malformed input.
uint32_t NextCodePoint(std::string_view text, size_t& pos) {
  const auto lead = static_cast<unsigned char>(text[pos++]);
  if (lead < 0x80) {
    return lead;
  }
  int extra = 0;
  uint32_t code = 0;
  if ((lead & 0xE0) == 0xC0) {
    extra = 1;
    code = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    extra = 2;
    code = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    extra = 3;
    code = lead & 0x07;
  } else {
    return UINT32_MAX;
  }
  for (int i = 0; i < extra; ++i) {
    if (pos >= text.size() || (static_cast<unsigned char>(text[pos]) & 0xC0) != 0x80) {
      return UINT32_MAX;
    }
    code = (code << 6) | (static_cast<unsigned char>(text[pos++]) & 0x3F);
  }
  return code;
}

bool IsForbiddenCodePoint(uint32_t code) {
  if (code < 0x80) {
    return code <= 0x20 || code == 0x7F ||
           kForbiddenAscii.find(static_cast<char>(code)) != std::string_view::npos;
  }
  return (code >= 0x7F && code <= 0x9F) || code == 0xA0 || code == 0x1680 ||
         (code >= 0x2000 && code <= 0x200A) || code == 0x2028 || code == 0x2029 || code == 0x202F ||
         code == 0x205F || code == 0x3000 || code == 0xFFFE || code == 0xFFFF ||
         (code >= 0xD800 && code <= 0xDFFF) || code == UINT32_MAX;
}

}  // namespace

std::string StateMachineArn(const ArnScope& scope, std::string_view name) {
  return Prefix(scope) + "stateMachine:" + std::string(name);
}

std::string ExecutionArn(const ArnScope& scope, std::string_view machine, std::string_view name) {
  return Prefix(scope) + "execution:" + std::string(machine) + ":" + std::string(name);
}

std::string ExpressExecutionArn(const ArnScope& scope, std::string_view machine,
                                std::string_view name, std::string_view uuid) {
  return Prefix(scope) + "express:" + std::string(machine) + ":" + std::string(name) + ":" +
         std::string(uuid);
}

std::string StateMachineVersionArn(std::string_view machine_arn, int64_t version) {
  return std::string(machine_arn) + ":" + std::to_string(version);
}

std::string StateMachineAliasArn(std::string_view machine_arn, std::string_view alias) {
  return std::string(machine_arn) + ":" + std::string(alias);
}

std::string ActivityArn(const ArnScope& scope, std::string_view name) {
  return Prefix(scope) + "activity:" + std::string(name);
}

ApiResult<ParsedArn> ParseArn(std::string_view arn, unsigned allowed) {
  const std::vector<std::string_view> parts = Split(arn, ':');
  if (parts.size() < 7 || parts[0] != "arn" || parts[2] != "states") {
    return Fail("InvalidArn", "Invalid Arn: 'Invalid ARN prefix: " + std::string(arn) + "'");
  }
  const std::string_view type = parts[5];
  ParsedArn parsed;
  if (type == "stateMachine" && parts.size() == 7) {
    parsed.kind = ArnKind::kStateMachine;
    parsed.machine = parts[6];
  } else if (type == "stateMachine" && parts.size() == 8 && !parts[7].empty()) {
    const bool numeric = parts[7].find_first_not_of("0123456789") == std::string_view::npos;
    parsed.kind = numeric ? ArnKind::kStateMachineVersion : ArnKind::kStateMachineAlias;
    parsed.machine = parts[6];
    parsed.qualifier = parts[7];
  } else if (type == "execution" && parts.size() == 8) {
    parsed.kind = ArnKind::kExecution;
    parsed.machine = parts[6];
    parsed.execution = parts[7];
  } else if (type == "express" && parts.size() == 9) {
    parsed.kind = ArnKind::kExpressExecution;
    parsed.machine = parts[6];
    parsed.execution = parts[7];
  } else if (type == "activity" && parts.size() == 7) {
    parsed.kind = ArnKind::kActivity;
    parsed.machine = parts[6];
  } else if (type == "stateMachine" || type == "execution" || type == "express" ||
             type == "activity") {
    return Fail("InvalidArn", "Invalid Arn: 'Invalid ARN: " + std::string(arn) + "'");
  } else {
    return Fail("InvalidArn", "Invalid Arn: 'Resource type not valid in this context: " +
                                  std::string(type) + "'");
  }
  if ((allowed & Allow(parsed.kind)) == 0) {
    return Fail("InvalidArn", "Invalid Arn: 'Resource type not valid in this context: " +
                                  std::string(type) + "'");
  }
  if (parsed.kind == ArnKind::kStateMachine || parsed.kind == ArnKind::kStateMachineVersion ||
      parsed.kind == ArnKind::kStateMachineAlias) {
    parsed.machine_arn = std::string(arn.substr(0, arn.find(':', arn.find(":stateMachine:") + 14)));
  }
  const bool is_execution =
      parsed.kind == ArnKind::kExecution || parsed.kind == ArnKind::kExpressExecution;
  if (parsed.machine.empty() || (is_execution && parsed.execution.empty())) {
    return Fail("InvalidArn", "Invalid Arn: 'Invalid ARN: " + std::string(arn) + "'");
  }
  return parsed;
}

bool IsValidName(std::string_view name) {
  size_t pos = 0;
  while (pos < name.size()) {
    if (IsForbiddenCodePoint(NextCodePoint(name, pos))) {
      return false;
    }
  }
  return true;
}

ApiResult<bool> CheckNameLength(std::string_view name, std::string_view field) {
  size_t chars = 0;
  for (const char c : name) {
    chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;  // UTF-8 lead bytes
  }
  if (chars < 1) {
    return ConstraintViolation(name, field, "Member must have length greater than or equal to 1");
  }
  if (chars > kMaxNameChars) {
    return ConstraintViolation(name, field, "Member must have length less than or equal to 80");
  }
  return true;
}

}  // namespace flowstate::api
