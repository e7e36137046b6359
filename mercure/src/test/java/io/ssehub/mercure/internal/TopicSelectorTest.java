package io.ssehub.mercure.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Reverse matching of RFC 6570 templates, every operator, and the selectors that are not templates.
 */
class TopicSelectorTest {

  @ParameterizedTest(name = "{0} matches {1}: {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "*                                      | anything at all                         | true",
        "https://example.com/books/1            | https://example.com/books/1             | true",
        "https://example.com/books/1            | https://example.com/books/10            | false",
        "https://example.com/books/{id}         | https://example.com/books/1             | true",
        "https://example.com/books/{id}         | https://example.com/books/a%20b         | true",
        "https://example.com/books/{id}         | https://example.com/books/1/reviews     | false",
        "https://example.com/books/{id}         | https://example.com/authors/1           | false",
        "https://example.com/books/{id}.jsonld  | https://example.com/books/7.jsonld      | true",
        "https://example.com/books/{id}.jsonld  | https://example.com/books/7.json        | false",
        "https://example.com{+path}             | https://example.com/a/b/c?x=1           | true",
        "https://example.com{/segments*}        | https://example.com/a/b/c               | true",
        "https://example.com{/segments*}        | https://example.com                     | true",
        "https://example.com{/one}              | https://example.com/a                   | true",
        "https://example.com{/one}x             | https://example.com/a/bx                | false",
        "https://example.com/file{.ext}         | https://example.com/file.tar            | true",
        "https://example.com/file{.ext*}        | https://example.com/file.tar.gz         | true",
        "https://example.com/map{;x,y}          | https://example.com/map;x=1;y=2         | true",
        "https://example.com/map{;x,y}          | https://example.com/map;z=1             | false",
        "https://example.com/find{?q,lang}      | https://example.com/find?q=cat&lang=fr  | true",
        "https://example.com/find{?q,lang}      | https://example.com/find?q=cat          | true",
        "https://example.com/find{?q}           | https://example.com/find?other=cat      | false",
        "https://example.com/find?fixed=1{&q}   | https://example.com/find?fixed=1&q=2    | true",
        "https://example.com/doc{#section}      | https://example.com/doc#a/b             | true",
        "https://example.com/{a,b}              | https://example.com/1,2                 | true",
        "https://example.com/{var:3}            | https://example.com/abc                 | true",
        "/books/{id}                            | /books/1                                | true",
        "foo{bar                                | foo{bar                                 | true",
        "foo{bar                                | foobar                                  | false",
        "foo{ba d}                              | foox                                    | false",
        "a.b{x}                                 | aXb1                                    | false",
      })
  void matches(String selector, String topic, boolean expected) {
    assertThat(TopicSelector.of(selector).matches(topic)).isEqualTo(expected);
  }

  @Test
  void regexCharactersInLiteralsAreLiterals() {
    assertThat(TopicSelector.of("https://x/(a)+[b]/{id}").matches("https://x/(a)+[b]/1")).isTrue();
    assertThat(TopicSelector.of("https://x/(a)+[b]/{id}").matches("https://x/aa[b]/1")).isFalse();
  }

  @Test
  void compiledTemplatesAreCachedAndTheCacheIsBounded() {
    TopicSelector first = TopicSelector.of("https://cached.example/{id}");
    assertThat(TopicSelector.of("https://cached.example/{id}")).isSameAs(first);
    for (int i = 0; i <= TopicSelector.CACHE_SIZE; i++) {
      TopicSelector.of("https://flood.example/" + i + "/{id}");
    }
    assertThat(TopicSelector.of("https://cached.example/{id}"))
        .as("evicted, compiled again")
        .isNotSameAs(first);
  }

  @Test
  void anyMatchesLooksAtEveryTopicAgainstEverySelector() {
    List<TopicSelector> selectors =
        List.of(TopicSelector.of("a"), TopicSelector.of("https://x/{id}"));
    assertThat(TopicSelector.anyMatches(selectors, List.of("b", "https://x/1"))).isTrue();
    assertThat(TopicSelector.anyMatches(selectors, List.of("b", "c"))).isFalse();
  }
}
