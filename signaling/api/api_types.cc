#include "signaling/api/api_types.h"

namespace sfu::api {

ApiError BadRequest(std::string m) { return {400, "BadRequestException", std::move(m)}; }
ApiError Forbidden(std::string m) { return {403, "ForbiddenException", std::move(m)}; }
ApiError NotFound(std::string m) { return {404, "NotFoundException", std::move(m)}; }
ApiError Conflict(std::string m) { return {409, "ConflictException", std::move(m)}; }
ApiError LimitExceeded(std::string m) { return {400, "LimitExceededException", std::move(m)}; }
ApiError Throttling(std::string m) { return {429, "ThrottlingException", std::move(m)}; }
ApiError PayloadTooLarge(std::string m) { return {413, "BadRequestException", std::move(m)}; }
ApiError ResourceNotFound(std::string m) {
  return {404, "ResourceNotFoundException", std::move(m)};
}
ApiError TooManyTags(std::string m) { return {400, "TooManyTagsException", std::move(m)}; }
ApiError UnprocessableEntity(std::string m) {
  return {422, "UnprocessableEntityException", std::move(m)};
}
ApiError ServiceFailure(std::string m) { return {500, "ServiceFailureException", std::move(m)}; }
ApiError ServiceUnavailable(std::string m) {
  return {503, "ServiceUnavailableException", std::move(m)};
}

std::string ErrorCode(const ApiError& e) {
  constexpr std::string_view kSuffix = "Exception";
  std::string code = e.type;
  if (code.size() > kSuffix.size() && code.ends_with(kSuffix))
    code.resize(code.size() - kSuffix.size());
  return code;
}

std::string CreateMeetingParams::Fingerprint() const {
  std::string f;
  auto add = [&f](std::string_view name, const std::string& v) {
    f += name;
    f += '=';
    f += std::to_string(v.size());
    f += ':';
    f += v;
    f += ';';
  };
  add("region", media_region);
  add("ext", external_meeting_id.value_or("\x01"));
  add("host", meeting_host_id.value_or("\x01"));
  add("primary", primary_meeting_id.value_or("\x01"));
  add("features", meeting_features_json);
  add("tenants", tenant_ids_json);
  add("notifications", notifications_json);
  for (const auto& [k, v] : tags) {
    add("tag", k);
    add("value", v);
  }
  return f;
}

}  // namespace sfu::api
