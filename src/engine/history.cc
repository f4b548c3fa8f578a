// History events: ids are contiguous per execution; previousEventId chains per frame (the root
// frame starts at 0 as AWS records it, a branch or iteration at the event that started it).
#include <string>

#include "engine/executor.h"
#include "json/compact_text.h"
#include "json/json.h"

namespace flowstate::engine {
model::RawJson NotTruncated() { return {R"({"truncated":false})"}; }

// Cleared, not freed, so the text's buffer is reused within the step.
model::HistoryEvent& Executor::Unrecorded(int64_t id) {
  unrecorded_.id = id;
  unrecorded_.details.Clear();
  return unrecorded_;
}

model::HistoryEvent& Executor::EmitRecordedWithPrev(int64_t previous_event_id,
                                                    base::InternedName type,
                                                    base::InternedName details_key) {
  if (options_.max_history_events != 0 && !failing_for_quota_ &&
      (history_full_ ||
       (snapshot_.next_event_id >= options_.max_history_events && type != "ExecutionSucceeded"))) {
    // The quota's last id is kept for the ExecutionFailed that FailForHistoryQuota writes.
    history_full_ = true;
    return Unrecorded(snapshot_.next_event_id);
  }
  if (!options_.record_history) return Unrecorded(snapshot_.next_event_id++);
  model::HistoryEvent& event = outcome_.events.emplace_back();
  event.id = snapshot_.next_event_id++;
  event.previous_event_id = previous_event_id;
  event.timestamp = now_;
  event.type = type;
  event.details_key = details_key;
  if (!details_key.empty()) {
    event.details.MakeEmptyObject();  // small-string storage: the first payload sizes the buffer
  }
  return event;
}

model::HistoryEvent& Executor::EmitRecorded(int32_t frame_id, base::InternedName type,
                                            base::InternedName details_key) {
  model::Frame& source = frame(frame_id);
  if (model_.scope(source.scope).in_distributed_map) {
    // Events of a Distributed Map's iterations belong to child executions: not recorded in
    // this history.
    return Unrecorded(-1);  // never 0: 0 marks a state not yet entered
  }
  model::HistoryEvent& event = EmitRecordedWithPrev(source.last_event_id, type, details_key);
  source.last_event_id = event.id;
  return event;
}

void Executor::EmitStateEntered(int32_t frame_id, const asl::State& state) {
  ++outcome_.states_entered;
  if (!options_.record_history) {
    model::Frame& current = frame(frame_id);
    current.input_text.clear();
    current.entered_event_id = Emit(frame_id, state.entered_event_type, "").id;
    return;
  }
  model::HistoryEvent& event = Emit(frame_id, state.entered_event_type, "stateEnteredEventDetails");
  event.details["name"] = state.name;
  model::Frame& current = frame(frame_id);
  if (current.input_text.empty()) json::AppendQuotedCompactText(current.input, current.input_text);
  event.details["input"] = model::RawJson{current.input_text};
  std::string().swap(current.input_text);  // freed: a waiting frame keeps no copy
  event.details["inputDetails"] = NotTruncated();
  frame(frame_id).entered_event_id = event.id;
}

void Executor::EmitStateExited(int32_t frame_id, const asl::State& state,
                               const std::string& output_text, const json::Json& assigned) {
  if (!options_.record_history) {
    Emit(frame_id, state.exited_event_type, "");
    return;
  }
  model::HistoryEvent& event = Emit(frame_id, state.exited_event_type, "stateExitedEventDetails");
  event.details["name"] = state.name;
  event.details["output"] = model::RawJson{output_text};
  event.details["outputDetails"] = NotTruncated();
  if (assigned.is_object()) {
    // Each assigned variable's value as JSON text, as AWS records it.
    json::Json texts = json::Json::object();
    for (auto it = assigned.begin(); it != assigned.end(); ++it) {
      texts[it.key()] = CompactText(it.value());
    }
    event.details["assignedVariables"] = std::move(texts);
    event.details["assignedVariablesDetails"] = NotTruncated();
  }
}

}  // namespace flowstate::engine
