#include "storage/entry.h"

#include <cstring>
#include <new>

namespace lacquer::storage {

EntryRef Entry::create(std::string_view key, std::uint64_t hash, std::string_view head,
                       std::string_view body, const EntryMeta& meta,
                       std::span<const std::uint64_t> tags) {
  const std::size_t size = sizeof(Entry) + tags.size() * sizeof(std::uint64_t) + key.size() +
                           head.size() + body.size();
  void* mem = ::operator new(size);
  auto* e = new (mem) Entry(hash, meta);
  e->tag_count_ = static_cast<std::uint32_t>(tags.size());
  e->key_len_ = static_cast<std::uint32_t>(key.size());
  e->head_len_ = static_cast<std::uint32_t>(head.size());
  e->body_len_ = body.size();
  char* p = reinterpret_cast<char*>(e + 1);
  if (!tags.empty()) std::memcpy(p, tags.data(), tags.size() * sizeof(std::uint64_t));
  p += tags.size() * sizeof(std::uint64_t);
  std::memcpy(p, key.data(), key.size());
  std::memcpy(p + key.size(), head.data(), head.size());
  if (!body.empty()) std::memcpy(p + key.size() + head.size(), body.data(), body.size());
  return EntryRef::adopt(e);
}

void Entry::destroy(const Entry* e) {
  e->~Entry();
  ::operator delete(const_cast<Entry*>(e));
}

}  // namespace lacquer::storage
