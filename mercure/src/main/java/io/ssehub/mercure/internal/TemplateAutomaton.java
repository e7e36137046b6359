package io.ssehub.mercure.internal;

import io.ssehub.mercure.internal.UriTemplate.Expression;
import io.ssehub.mercure.internal.UriTemplate.Literal;
import io.ssehub.mercure.internal.UriTemplate.Part;
import io.ssehub.mercure.internal.UriTemplate.Variable;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.IntUnaryOperator;

/**
 * The topics a URI template could expand to, as a Thompson NFA built from the template's parts, and
 * a matcher that runs it as a DFA built lazily: a DFA state is a set of NFA nodes, and its
 * transition on each ASCII character class is computed once and cached in a table. Matching costs a
 * table read per character once the states it needs are built, and never recurses.
 *
 * <p>The DFA holds at most {@link #maxStates} states (and a bounded number of NFA nodes across
 * their sets); past them, and for a character outside ASCII, the matcher steps the NFA set by set,
 * still in time linear in the topic. A selector is shared by the event loops: transitions are built
 * under this object's lock and published with release/acquire, so reads of the table take no lock.
 */
final class TemplateAutomaton {
  /** The most DFA states one template caches. */
  static final int MAX_DFA_STATES = 256;

  private static final byte CHAR = 0;
  private static final byte SET = 1;
  private static final byte SPLIT = 2;
  private static final byte MATCH = 3;

  /**
   * Character sets over ASCII, two 64-bit masks each: value characters, with reserved ones, hex
   * digits, keys.
   */
  private static final int VALUE = 0;

  private static final int VALUE_RESERVED = 1;
  private static final int HEX = 2;
  private static final int KEY = 3;
  private static final long[][] SETS = {
    mask("A-Za-z0-9-._~,"),
    mask("A-Za-z0-9-._~:/?#[]@!$&'()*+,;="),
    mask("0-9A-Fa-f"),
    mask("A-Za-z0-9-._~")
  };

  /** The node that accepts: node 0, so a sorted set accepts when it starts with it. */
  private static final int MATCH_NODE = 0;

  private static final int DEAD = 0;
  private static final int START = 1;

  // The NFA: per node its kind, its argument (a code point, or a set), its next node(s).
  private final byte[] kind;
  private final int[] arg;
  private final int[] out1;
  private final int[] out2;
  private final int startNode;

  // The DFA: ASCII characters by class, the transition table (state * classes + class: 0 unknown,
  // id + 1, or -1 for a target not cached), each state's NFA set and whether it accepts.
  private final byte[] classOf = new byte[128];
  private final int classes;
  private final int maxStates;
  private final int maxStoredNodes;
  private final AtomicIntegerArray table;
  private final int[][] sets;
  private final boolean[] accepting;
  private final Map<Key, Integer> ids = new ConcurrentHashMap<>();
  private int states; // guarded by this
  private int storedNodes; // guarded by this
  private Scratch lockedScratch; // guarded by this

  TemplateAutomaton(UriTemplate template) {
    this(template, MAX_DFA_STATES);
  }

  /**
   * The automaton of {@code template}, its DFA bounded to {@code maxDfaStates} states (at least 2:
   * dead and start).
   */
  TemplateAutomaton(UriTemplate template, int maxDfaStates) {
    Builder builder = new Builder();
    int next = builder.node(MATCH, 0, -1, -1);
    for (int p = template.parts().size() - 1; p >= 0; p--) {
      Part part = template.parts().get(p);
      next =
          part instanceof Literal literal
              ? builder.literal(literal.text(), next)
              : builder.expression((Expression) part, next);
    }
    startNode = next;
    int size = builder.size;
    kind = Arrays.copyOf(builder.kind, size);
    arg = Arrays.copyOf(builder.arg, size);
    out1 = Arrays.copyOf(builder.out1, size);
    out2 = Arrays.copyOf(builder.out2, size);

    // Characters that some node names alone get a class each; the others are told apart by the sets
    // that hold them.
    Map<Integer, Integer> bySignature = new HashMap<>();
    int count = 0;
    boolean[] literal = new boolean[128];
    for (int n = 0; n < size; n++) {
      if (kind[n] == CHAR && arg[n] < 128) {
        literal[arg[n]] = true;
      }
    }
    for (int c = 0; c < 128; c++) {
      if (literal[c]) {
        classOf[c] = (byte) count++;
        continue;
      }
      int signature = 0;
      for (int s = 0; s < SETS.length; s++) {
        signature |= contains(SETS[s], c) ? 1 << s : 0;
      }
      Integer known = bySignature.get(signature);
      if (known == null) {
        known = count++;
        bySignature.put(signature, known);
      }
      classOf[c] = (byte) (int) known;
    }
    classes = count;

    // A DFA rarely needs more states than the NFA has nodes; the sets it stores are bounded alike.
    maxStates = Math.max(2, Math.min(maxDfaStates, 16 + size));
    maxStoredNodes = 4 * size + 1024;
    table = new AtomicIntegerArray(maxStates * classes);
    sets = new int[maxStates][];
    accepting = new boolean[maxStates];
    synchronized (this) {
      addState(new int[0]);
      Scratch scratch = scratch();
      scratch.gen++;
      addState(scratch.closure(startNode));
    }
  }

  /**
   * What this automaton may hold on the heap at most, in bytes: its NFA, its scratch arrays, its
   * DFA when full.
   */
  long bytes() {
    int nodes = kind.length;
    long nfa = 4 * 16 + 13L * nodes;
    long scratch = 3 * 16 + 12L * nodes;
    long dfa =
        16
            + 4L * maxStates * classes
            + 5L * maxStates
            + 4L * maxStoredNodes
            + 96L * maxStates; // per state: its int[] header, key, map entry and boxed id
    return 512 + nfa + scratch + dfa;
  }

  /** How many NFA nodes this automaton has. */
  int nodes() {
    return kind.length;
  }

  /** How many DFA states it has built so far. */
  synchronized int dfaStates() {
    return states;
  }

  /** Whether the whole topic is one of the template's expansions. */
  boolean matches(String topic) {
    int state = START;
    int[] set = null; // the NFA set, while the DFA does not hold it
    Scratch scratch = null;
    int i = 0;
    int length = topic.length();
    while (i < length) {
      char c = topic.charAt(i);
      if (set == null && c < 128) {
        int index = state * classes + classOf[c];
        int next = table.getAcquire(index);
        if (next == 0) {
          next = transition(state, c, index);
        }
        if (next > 0) {
          state = next - 1;
          if (state == DEAD) {
            return false;
          }
          i++;
          continue;
        }
      }
      // Outside ASCII, or past what the DFA caches: one step of the NFA.
      int codePoint = Character.codePointAt(topic, i);
      i += Character.charCount(codePoint);
      if (scratch == null) {
        scratch = new Scratch(kind.length);
      }
      int[] to = step(set != null ? set : sets[state], codePoint, scratch);
      if (to.length == 0) {
        return false;
      }
      int known = stateOf(to);
      if (known >= 0) {
        state = known;
        set = null;
      } else {
        set = to;
      }
    }
    return set == null ? accepting[state] : set.length > 0 && set[0] == MATCH_NODE;
  }

  /**
   * The transition of {@code state} on {@code c}'s class, computed and cached: id + 1, or -1 when
   * the target is not cached.
   */
  private synchronized int transition(int state, char c, int index) {
    int next = table.get(index);
    if (next != 0) {
      return next;
    }
    int id = addState(step(sets[state], c, scratch()));
    next = id >= 0 ? id + 1 : -1;
    table.setRelease(index, next);
    return next;
  }

  /** The DFA state of an NFA set, added when there is room; -1 when there is none. */
  private int stateOf(int[] set) {
    Integer known = ids.get(new Key(set));
    if (known != null) {
      return known;
    }
    synchronized (this) {
      return addState(set);
    }
  }

  /** The id of {@code set}'s state, added if new and there is room; -1 when there is none. */
  private int addState(int[] set) {
    assert Thread.holdsLock(this);
    Key key = new Key(set);
    Integer known = ids.get(key);
    if (known != null) {
      return known;
    }
    if (states == maxStates || (states >= 2 && storedNodes + set.length > maxStoredNodes)) {
      return -1;
    }
    int id = states++;
    storedNodes += set.length;
    sets[id] = set;
    accepting[id] = set.length > 0 && set[0] == MATCH_NODE;
    ids.put(key, id); // publishes sets[id] and accepting[id] to readers of the map
    return id;
  }

  private Scratch scratch() {
    assert Thread.holdsLock(this);
    if (lockedScratch == null) {
      lockedScratch = new Scratch(kind.length);
    }
    return lockedScratch;
  }

  /** The sorted NFA set reached from {@code set} on {@code codePoint}, closed over SPLITs. */
  private int[] step(int[] set, int codePoint, Scratch scratch) {
    scratch.gen++;
    scratch.size = 0;
    for (int node : set) {
      boolean takes =
          switch (kind[node]) {
            case CHAR -> arg[node] == codePoint;
            case SET -> codePoint < 128 && contains(SETS[arg[node]], codePoint);
            default -> false;
          };
      if (takes) {
        scratch.add(out1[node]);
      }
    }
    int[] result = Arrays.copyOf(scratch.found, scratch.size);
    Arrays.sort(result);
    return result;
  }

  /** Per-walk arrays: nodes seen (by generation), nodes found, a stack for the closure. */
  private final class Scratch {
    final int[] marks;
    final int[] found;
    final int[] stack;
    int gen;
    int size;

    Scratch(int nodes) {
      marks = new int[nodes];
      found = new int[nodes];
      stack = new int[nodes];
    }

    /** The closure of one node, alone and sorted. */
    int[] closure(int node) {
      size = 0;
      add(node);
      int[] result = Arrays.copyOf(found, size);
      Arrays.sort(result);
      return result;
    }

    /**
     * Adds the nodes that consume a character or accept, reached from {@code node} over SPLITs;
     * iterative.
     */
    void add(int node) {
      int top = 0;
      if (marks[node] == gen) {
        return;
      }
      marks[node] = gen;
      stack[top++] = node;
      while (top > 0) {
        int n = stack[--top];
        if (kind[n] == SPLIT) {
          int next = out2[n];
          if (marks[next] != gen) {
            marks[next] = gen;
            stack[top++] = next;
          }
          next = out1[n];
          if (marks[next] != gen) {
            marks[next] = gen;
            stack[top++] = next;
          }
        } else {
          found[size++] = n;
        }
      }
    }
  }

  /** Builds the NFA right to left: each piece is built given the node that follows it. */
  private static final class Builder {
    byte[] kind = new byte[64];
    int[] arg = new int[64];
    int[] out1 = new int[64];
    int[] out2 = new int[64];
    int size;

    int node(byte k, int a, int next1, int next2) {
      if (size == kind.length) {
        kind = Arrays.copyOf(kind, size * 2);
        arg = Arrays.copyOf(arg, size * 2);
        out1 = Arrays.copyOf(out1, size * 2);
        out2 = Arrays.copyOf(out2, size * 2);
      }
      kind[size] = k;
      arg[size] = a;
      out1[size] = next1;
      out2[size] = next2;
      return size++;
    }

    int split(int a, int b) {
      return node(SPLIT, 0, a, b);
    }

    /** The code points of {@code text}, in order. */
    int literal(String text, int next) {
      int[] codePoints = text.codePoints().toArray();
      for (int k = codePoints.length - 1; k >= 0; k--) {
        next = node(CHAR, codePoints[k], next, -1);
      }
      return next;
    }

    /** {@code body*}. */
    int star(IntUnaryOperator body, int next) {
      int loop = split(-1, next);
      int entry = body.applyAsInt(loop); // before out1 is read: building may grow it
      out1[loop] = entry;
      return loop;
    }

    /** {@code body+}. */
    int plus(IntUnaryOperator body, int next) {
      int loop = split(-1, next);
      int entry = body.applyAsInt(loop);
      out1[loop] = entry;
      return entry;
    }

    /** A character of {@code set}, or a percent-encoded octet. */
    int valueChar(int set, int next) {
      int pct = node(CHAR, '%', node(SET, HEX, node(SET, HEX, next, -1), -1), -1);
      return split(node(SET, set, next, -1), pct);
    }

    /**
     * One item: a value, or for named operators {@code name(=value)?} (any key when the variable
     * explodes).
     */
    int item(Expression expression, Variable variable, int next) {
      int valueSet = expression.reservedAllowed() ? VALUE_RESERVED : VALUE;
      if (!expression.named()) {
        return star(k -> valueChar(valueSet, k), next);
      }
      int assigned = split(node(CHAR, '=', star(k -> valueChar(valueSet, k), next), -1), next);
      return variable.explode()
          ? plus(k -> valueChar(KEY, k), assigned)
          : literal(variable.name(), assigned);
    }

    /** Any one of the expression's items. */
    int one(Expression expression, int next) {
      int last = expression.variables().size() - 1;
      int entry = item(expression, expression.variables().get(last), next);
      for (int v = last - 1; v >= 0; v--) {
        entry = split(item(expression, expression.variables().get(v), next), entry);
      }
      return entry;
    }

    /**
     * {@code (prefix one (separator one){0,n-1})?}, or with {@code *} for a variable that explodes:
     * undefined variables expand to nothing, defined ones join with the separator after the prefix.
     */
    int expression(Expression expression, int next) {
      String separator = expression.separator();
      int rest;
      if (expression.anyExplode()) {
        rest = star(k -> literal(separator, one(expression, k)), next);
      } else {
        rest = next;
        for (int more = 1; more < expression.variables().size(); more++) {
          rest = split(literal(separator, one(expression, rest)), next);
        }
      }
      return split(literal(expression.prefix(), one(expression, rest)), next);
    }
  }

  /** A set of NFA nodes as a map key. */
  private record Key(int[] nodes, int hash) {
    Key(int[] nodes) {
      this(nodes, Arrays.hashCode(nodes));
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key other && other.hash == hash && Arrays.equals(other.nodes, nodes);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  private static long[] mask(String ranges) {
    long[] mask = new long[2];
    for (int i = 0; i < ranges.length(); i++) {
      char from = ranges.charAt(i);
      char to = from;
      if (i + 2 < ranges.length() && ranges.charAt(i + 1) == '-') {
        to = ranges.charAt(i + 2);
        i += 2;
      }
      for (char c = from; c <= to; c++) {
        mask[c >> 6] |= 1L << (c & 63);
      }
    }
    return mask;
  }

  private static boolean contains(long[] mask, int c) {
    return (mask[c >> 6] & (1L << (c & 63))) != 0;
  }
}
