package io.ssehub.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every form a Redis URI can hold a password in, masked; nothing else changed. */
class RedisUriSecretsTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      redis://:sec1@127.0.0.1:6390/0                        | redis://:***@127.0.0.1:6390/0
      redis://user:sec1@h                                   | redis://user:***@h
      redis://sec1@h                                        | redis://***@h
      rediss://user:pa:ss@host:6380                         | rediss://user:***@host:6380
      redis+ssl://:sec1@h                                   | redis+ssl://:***@h
      redis://:p@ss@h:6379                                  | redis://:***@h:6379
      redis://:pa/ss@h:6379/0                               | redis://:***@h:6379/0
      redis://h:6379?password=sec1                          | redis://h:6379?password=***
      redis://h?clientName=a&password=sec1&db=2             | redis://h?clientName=a&password=***&db=2
      redis://h?timeout=5s&sentinelPassword=s1&authToken=t1 | redis://h?timeout=5s&sentinelPassword=***&authToken=***
      redis-socket:///tmp/redis.sock?password=sec1          | redis-socket:///tmp/redis.sock?password=***
      redis-sentinel://:sec1@s1:26379,s2:26379/0#mymaster   | redis-sentinel://:***@s1:26379,s2:26379/0#mymaster
      redis-sentinel://u:sec1@s1:26379#m                    | redis-sentinel://u:***@s1:26379#m
      redis-sentinel://:a1@s1:26379,:b2@s2:26379#m          | redis-sentinel://:***@s2:26379#m
      redis-sentinel://s1:26379?sentinelMasterId=m&password=sec1 | redis-sentinel://s1:26379?sentinelMasterId=m&password=***
      redis-cluster://:sec1@h1:7000,h2:7001                 | redis-cluster://:***@h1:7000,h2:7001
      :sec1@h1:7000,h2:7001                                 | :***@h1:7000,h2:7001
      redis://host:6379/0                                   | redis://host:6379/0
      redis-sentinel://s1:26379,s2:26379#m                  | redis-sentinel://s1:26379,s2:26379#m
      h1:7000,h2:7001                                       | h1:7000,h2:7001
      """)
  void masked(String uri, String expected) {
    assertThat(RedisUriSecrets.mask(uri)).isEqualTo(expected);
  }

  @Test
  void nullStaysNull() {
    assertThat(RedisUriSecrets.mask(null)).isNull();
    assertThat(RedisUriSecrets.maskText(null, List.of("x"))).isNull();
  }

  @Test
  void secretsFoundInUserInfoAndQuery() {
    assertThat(RedisUriSecrets.secrets("redis://u:pw1@h?password=pw2&db=1"))
        .containsExactly("pw1", "pw2");
    assertThat(RedisUriSecrets.secrets("redis://pw1@h")).containsExactly("pw1");
    assertThat(RedisUriSecrets.secrets("redis-sentinel://:pw1@s1:26379,s2:26379#m"))
        .containsExactly("pw1");
    assertThat(RedisUriSecrets.secrets("redis://h:6379/0")).isEmpty();
    assertThat(RedisUriSecrets.secrets("redis://user:@h")).isEmpty();
  }

  @Test
  void textMaskedWhereverASecretOrAUriAppears() {
    List<String> secrets = RedisUriSecrets.secrets("redis://:hunter/two@h:1");
    assertThat(RedisUriSecrets.maskText("For input string: \"two@h:1\"", secrets))
        .as("a parser quoting the part after a '/' of the password")
        .isEqualTo("For input string: \"***@h:1\"");
    assertThat(RedisUriSecrets.maskText("WRONGPASS hunter/two rejected", secrets))
        .isEqualTo("WRONGPASS *** rejected");
    assertThat(RedisUriSecrets.maskText("Cannot reach redis://:other@h:1 (refused)", List.of()))
        .isEqualTo("Cannot reach redis://:***@h:1 (refused)");
    assertThat(RedisUriSecrets.maskText("no secret here", secrets)).isEqualTo("no secret here");
  }
}
