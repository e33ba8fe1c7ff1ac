#include "http/h2_flood_guard.h"

namespace lacquer::http {
namespace {

// RFC 9113 §6 frame types and flags.
constexpr std::uint8_t kData = 0x0, kPriority = 0x2, kSettings = 0x4, kPing = 0x6, kWindowUpdate = 0x8;
constexpr std::uint8_t kEndStream = 0x1, kAck = 0x1;

}  // namespace

std::string_view flood_label(H2Flood f) {
  switch (f) {
    case H2Flood::None: return "none";
    case H2Flood::Priority: return "priority";
    case H2Flood::WindowUpdate: return "window_update";
    case H2Flood::EmptyData: return "empty_data";
    case H2Flood::Settings: return "settings";
    case H2Flood::Ping: return "ping";
    case H2Flood::Resets: return "resets";
    case H2Flood::HeaderList: return "header_list";
    case H2Flood::AckQueue: return "ack_queue";
  }
  return "none";
}

H2Flood H2FloodGuard::on_frame(std::uint8_t type, std::uint8_t flags, std::size_t length) {
  switch (type) {
    case kData:
      if (length > 0 || (flags & kEndStream)) {
        empty_data_run_ = 0;
        return H2Flood::None;
      }
      return ++empty_data_run_ > kEmptyDataRun ? H2Flood::EmptyData : H2Flood::None;
    case kPriority:
      return ++priority_ > kPriorityBase + kPriorityPerStream * streams_ ? H2Flood::Priority : H2Flood::None;
    case kWindowUpdate:
      return ++window_updates_ > kWindowUpdateBase + kWindowUpdatePerData * data_sent_ + kWindowUpdatePerStream * streams_
                 ? H2Flood::WindowUpdate
                 : H2Flood::None;
    case kSettings:
      if (flags & kAck) return H2Flood::None;  // answers ours
      return ++settings_ > kSettingsBase + kSettingsPerStream * streams_ ? H2Flood::Settings : H2Flood::None;
    case kPing:
      if (flags & kAck) return H2Flood::None;
      return ++pings_ > kPingBase + kPingPerStream * streams_ ? H2Flood::Ping : H2Flood::None;
    default:
      return H2Flood::None;
  }
}

}  // namespace lacquer::http
