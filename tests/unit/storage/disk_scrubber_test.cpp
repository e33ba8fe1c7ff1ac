// The scrubber's choice of file, on made-up summaries.
#include <catch2/catch.hpp>

#include "storage/disk_scrubber.h"

using namespace lacquer::storage;

namespace {
ScrubCandidate file(std::uint64_t seqno, std::int64_t written_at, std::int64_t useless_from,
                    std::int64_t useless_step, std::uint64_t min_birth = 1, std::uint64_t purge_at_write = 0) {
  ScrubCandidate c;
  c.name = std::to_string(seqno).append(".sst");
  c.size = 1000;
  c.smallest_seqno = seqno;
  c.written_at = written_at;
  FileSummary s;
  s.entries = 100;
  s.entry_bytes = 1000;
  s.min_birth = min_birth;
  s.purge_seq_at_write = purge_at_write;
  for (int i = 0; i < 8; ++i) s.useless[i] = useless_from + i * useless_step;
  c.summary = s;
  return c;
}
const ScrubOptions kOptions{std::chrono::milliseconds(0), 0.25, 600};
}  // namespace

TEST_CASE("the most expired file goes first, and only past the threshold") {
  const std::int64_t now = 100000;
  std::vector<ScrubCandidate> files = {
      file(1, 0, now - 50, 100),   // 1/8 expired
      file(2, 0, now - 350, 100),  // 4/8
      file(3, 0, now - 250, 100),  // 3/8
  };
  auto c = choose_scrub(files, now, 0, 0, kOptions);
  CHECK(c.reason == ScrubReason::Expired);
  CHECK(c.index == 1);
  // With a keep time of 300 s, only file 2 has anything past it (1/8): under the threshold.
  CHECK(choose_scrub(files, now, 300, 0, kOptions).reason == ScrubReason::None);
  files[1].being_compacted = true;
  CHECK(choose_scrub(files, now, 0, 0, kOptions).index == 2);
}

TEST_CASE("after a purge, the oldest file written before it, at most once per period") {
  const std::int64_t now = 100000;
  std::vector<ScrubCandidate> files = {
      file(5, now - 1000, now + 1000, 10, 3, 2),  // written before purge 7, births from 3
      file(2, now - 2000, now + 1000, 10, 1, 2),  // older
      file(9, now - 100, now + 1000, 10, 1, 2),   // written too recently to be rewritten again
      file(1, now - 5000, now + 1000, 10, 8, 2),  // every record born after the purge
  };
  auto c = choose_scrub(files, now, 0, 7, kOptions);
  CHECK(c.reason == ScrubReason::Purged);
  CHECK(c.index == 1);
  // Purge 7 was already applied when these files were written.
  for (auto& f : files) f.summary->purge_seq_at_write = 7;
  CHECK(choose_scrub(files, now, 0, 7, kOptions).reason == ScrubReason::None);
}

TEST_CASE("files without a summary are left alone") {
  ScrubCandidate c;
  c.name = "000001.sst";
  std::vector<ScrubCandidate> files = {c};
  CHECK(choose_scrub(files, 100, 0, 5, kOptions).reason == ScrubReason::None);
}
