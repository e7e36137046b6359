package io.ssehub.redis.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Lua scripts that make each publish and each history read one atomic step on Redis
 * (ARCHITECTURE.md invariant 5). Each runs on the one key it declares (the channel's history
 * stream); in a cluster, the channel it publishes to hashes to the same slot (see {@code
 * RedisBroker}'s key layout), so a sharded {@code SPUBLISH} from the script is allowed.
 *
 * <p>Needs Redis 6.2 or newer ({@code XTRIM MINID}, exclusive ranges); completeness of replays is
 * exact from Redis 7.0 on ({@code max-deleted-entry-id}); sharded pub/sub needs 7.0.
 */
public final class Scripts {
  private Scripts() {}

  /**
   * Trims a stream to {@code size} entries (none if {@code size} is negative), drops entries at
   * least {@code ttl} ms old by Redis's clock, then drops the oldest while the stream holds more
   * than {@code maxBytes} bytes of field values (none if negative), and records the newest dropped
   * id as the stream's {@code max-deleted-entry-id}: Redis counts only {@code XDEL} there, and
   * replays need to know where the retained history starts to tell a complete replay from a cut
   * one. {@code newest} is the stream's newest id if the caller knows it. {@code XSETID ...
   * MAXDELETEDID} needs Redis 7; on older servers it fails quietly and replays fall back to the
   * first retained entry.
   *
   * <p>The byte total lives in the companion hash {@code counter} (same hash slot), with the stream
   * length it was counted at: when that length is not the stream's (the hash expired or was
   * evicted, or something else wrote the stream), the total is counted again from the entries.
   * {@code total} is the stream's byte total if the caller knows it, else nil. Returns the total
   * after trimming and whether anything was dropped; the caller saves it ({@code save_bytes}).
   * Entries are read in small pages, so that a trim never holds much more than a page of the stream
   * in the script's memory.
   */
  private static final String TRIM =
      """
      local PAGE = 8
      local function entry_bytes(entry)
        local fields, n = entry[2], 0
        for f = 2, #fields, 2 do
          n = n + #fields[f]
        end
        return n
      end
      local function bytes_up_to(key, last)
        local total, start = 0, '-'
        while true do
          local page = redis.call('XRANGE', key, start, last, 'COUNT', PAGE)
          for i = 1, #page do
            total = total + entry_bytes(page[i])
          end
          if #page < PAGE then
            return total
          end
          start = '(' .. page[#page][1]
        end
      end
      local function counted_bytes(key, counter)
        local len = redis.call('XLEN', key)
        if len == 0 then
          return 0
        end
        local saved = redis.call('HMGET', counter, 'bytes', 'len')
        if saved[1] and tonumber(saved[2]) == len then
          return tonumber(saved[1])
        end
        return bytes_up_to(key, '+')
      end
      local function save_bytes(key, counter, total, ttl)
        if total < 0 then
          total = bytes_up_to(key, '+') -- someone else changed entries in place of ours: count them
        end
        redis.call('HSET', counter, 'bytes', string.format('%.0f', total), 'len', redis.call('XLEN', key))
        ttl = ttl or redis.call('PTTL', key)
        if tonumber(ttl) > 0 then
          redis.call('PEXPIRE', counter, ttl)
        end
      end
      local function trim(key, counter, total, size, ttl, maxBytes, newest)
        local dropped = nil
        local changed = false
        if size >= 0 then
          local excess = redis.call('XLEN', key) - size
          if excess > 0 then
            total = total or counted_bytes(key, counter)
            local gone = redis.call('XRANGE', key, '-', '+', 'COUNT', excess)
            for i = 1, #gone do
              total = total - entry_bytes(gone[i])
            end
            dropped = gone[#gone][1]
            redis.call('XTRIM', key, 'MAXLEN', size)
            changed = true
          end
        end
        local now = redis.call('TIME')
        local cutoff = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) - tonumber(ttl)
        -- The oldest entry decides whether anything expired: an XREVRANGE from before the first
        -- entry walks the whole stream (tens of microseconds at a thousand entries, on every publish).
        local oldest = cutoff >= 0 and redis.call('XRANGE', key, '-', '+', 'COUNT', 1) or {}
        if #oldest > 0 and tonumber(string.match(oldest[1][1], '^%d+')) <= cutoff then
          local old = redis.call('XREVRANGE', key, string.format('%.0f', cutoff), '-', 'COUNT', 1)
          if #old > 0 then
            if not newest then
              newest = redis.call('XREVRANGE', key, '+', '-', 'COUNT', 1)[1][1]
            end
            dropped = old[1][1]
            total = total or counted_bytes(key, counter)
            total = total - bytes_up_to(key, dropped)
            redis.call('XTRIM', key, 'MINID', string.format('%.0f', cutoff + 1))
            changed = true
          end
        end
        if maxBytes >= 0 then
          total = total or counted_bytes(key, counter)
          local cut = nil
          while total > maxBytes do
            -- One entry at a time: a publish at the bound drops one or two, which may be large.
            local oldest_entry = redis.call('XRANGE', key, cut and '(' .. cut or '-', '+', 'COUNT', 1)
            if #oldest_entry == 0 then
              total = 0 -- counted more than there was: every entry is gone now
              break
            end
            total = total - entry_bytes(oldest_entry[1])
            cut = oldest_entry[1][1]
          end
          if cut then
            local kept = redis.call('XRANGE', key, '(' .. cut, '+', 'COUNT', 1)
            if #kept > 0 then
              redis.call('XTRIM', key, 'MINID', kept[1][1])
            else
              redis.call('XTRIM', key, 'MAXLEN', 0)
            end
            dropped = cut
            changed = true
          end
        end
        if dropped then
          if not newest then
            local info = redis.call('XINFO', 'STREAM', key)
            for i = 1, #info, 2 do
              if info[i] == 'last-generated-id' then
                newest = info[i + 1]
              end
            end
          end
          redis.pcall('XSETID', key, newest, 'MAXDELETEDID', dropped)
        end
        return total, changed
      end
      """;

  /**
   * Publish. KEYS: [1] the history stream, [2] its byte counter. ARGV: [1] Redis channel, [2] head
   * of the message, [3] its tail, [4] {@code 1} to put the entry id between them, [5] history size,
   * [6] history age in ms, [7] {@code PUBLISH} or {@code SPUBLISH}, [8] most bytes of history.
   * Returns the entry id.
   *
   * <p>The entry stores the message as the publisher made it: with the publisher's id, or with no
   * id, and then the entry id is the event's id. (A script cannot know the id {@code XADD *} will
   * give before it runs, and an entry cannot be changed after, so the id is put into the published
   * copy only; {@link FlaskSseCodec#decode} gives it back when reading history.) With a history
   * size of 0, or a message over the byte bound, the entry is trimmed at once: ids still count up,
   * so resumes stay exact.
   */
  public static final Script PUBLISH =
      new Script(
          TRIM
              + """
      local stored = ARGV[2] .. ARGV[3]
      local total = counted_bytes(KEYS[1], KEYS[2]) + #stored
      local id = redis.call('XADD', KEYS[1], '*', 'm', stored)
      redis.call('PEXPIRE', KEYS[1], ARGV[6])
      total = trim(KEYS[1], KEYS[2], total, tonumber(ARGV[5]), ARGV[6], tonumber(ARGV[8]), id)
      save_bytes(KEYS[1], KEYS[2], total, ARGV[6])
      local message = stored
      if ARGV[4] == '1' then
        message = ARGV[2] .. ', "id": "' .. id .. '"' .. ARGV[3]
      end
      redis.call(ARGV[7], ARGV[1], message)
      return id
      """);

  /**
   * Reads a history. KEYS: [1] the history stream, [2] its byte counter. ARGV: [1] history age in
   * ms, [2] {@code range} or {@code find}, [3] for {@code range}: the XRANGE start ({@code -} or
   * {@code (id}); for {@code find}: the text {@code , "id": "<id>"} that an entry published with
   * that id holds; [4] the most bytes of entries to return.
   *
   * <p>Returns {@code {0}} if the stream does not exist, else {@code {1, last-generated-id,
   * max-deleted-entry-id (empty before Redis 7), first entry id (empty if none), entries, found,
   * capped}}: for {@code range}, the entries from the start on; for {@code find}, the entries after
   * the newest one holding the text ({@code found} = 1), or all of them ({@code found} = 0).
   * Entries are the newest that fit in the byte limit: {@code capped} = 1 when older ones were left
   * out for it. Finding by text is exact: inside a JSON string every {@code "} is escaped, so the
   * unescaped text can only be the message's own {@code id} member, and ssehub writes every history
   * entry in one format. Entries are read newest first in small pages, so that neither the script
   * nor the reply holds more than the limit.
   */
  public static final Script AFTER =
      new Script(
          TRIM
              + """
      local key = KEYS[1]
      if redis.call('EXISTS', key) == 0 then
        return {0}
      end
      local total, changed = trim(key, KEYS[2], nil, -1, ARGV[1], -1, nil)
      if changed then
        save_bytes(key, KEYS[2], total, nil)
      end
      local last, maxdel, first = '', '', ''
      local info = redis.call('XINFO', 'STREAM', key)
      for i = 1, #info, 2 do
        local name = info[i]
        if name == 'last-generated-id' then
          last = info[i + 1]
        elseif name == 'max-deleted-entry-id' then
          maxdel = info[i + 1]
        elseif name == 'first-entry' and info[i + 1] then
          first = info[i + 1][1]
        end
      end
      local find = ARGV[2] == 'find'
      local stop = find and '-' or ARGV[3]
      local limit = tonumber(ARGV[4])
      local newest_first, bytes, capped, found = {}, 0, 0, 0
      local from = '+'
      while found == 0 and (find or capped == 0) do
        local page = redis.call('XREVRANGE', key, from, stop, 'COUNT', PAGE)
        for i = 1, #page do
          local entry = page[i]
          if find then
            local fields = entry[2]
            for f = 1, #fields, 2 do
              if fields[f] == 'm' and string.find(fields[f + 1], ARGV[3], 1, true) then
                found = 1
              end
            end
          end
          if found == 1 then
            break
          end
          local size = entry_bytes(entry)
          if capped == 0 and bytes + size <= limit then
            newest_first[#newest_first + 1] = entry
            bytes = bytes + size
          else
            capped = 1
          end
        end
        if #page < PAGE then
          break
        end
        from = '(' .. page[#page][1]
      end
      local entries = {}
      for i = #newest_first, 1, -1 do
        entries[#entries + 1] = newest_first[i]
      end
      return {1, last, maxdel, first, entries, found, capped}
      """);

  /**
   * The newest id. KEYS: [1] the history stream, [2] its byte counter. ARGV[1]: history age in ms.
   * Returns the stream's last generated id (which stays when every entry is trimmed), or an empty
   * string when there is no stream.
   */
  public static final Script LAST_ID =
      new Script(
          TRIM
              + """
      if redis.call('EXISTS', KEYS[1]) == 0 then
        return ''
      end
      local total, changed = trim(KEYS[1], KEYS[2], nil, -1, ARGV[1], -1, nil)
      if changed then
        save_bytes(KEYS[1], KEYS[2], total, nil)
      end
      local info = redis.call('XINFO', 'STREAM', KEYS[1])
      for i = 1, #info, 2 do
        if info[i] == 'last-generated-id' then
          return info[i + 1]
        end
      end
      return ''
      """);

  /** A script and its SHA-1, for {@code EVALSHA} with {@code EVAL} when Redis answers NOSCRIPT. */
  public record Script(String source, String sha1) {
    Script(String source) {
      this(source, sha1(source));
    }

    private static String sha1(String source) {
      try {
        return HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-1 is part of every JDK", e);
      }
    }
  }
}
