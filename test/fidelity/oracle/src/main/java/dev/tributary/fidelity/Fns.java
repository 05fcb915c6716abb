package dev.tributary.fidelity;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;

/**
 * The op language's named functions over string keys and values. test/fidelity/fns.ts defines
 * the same names with the same results; a name unknown here fails the case.
 */
final class Fns {
  private Fns() {}

  static String first(String s) {
    return s == null || s.isEmpty() ? null : s.substring(0, 1);
  }

  private static String arg(String spec) {
    int colon = spec.indexOf(':');
    return colon < 0 ? "" : spec.substring(colon + 1);
  }

  private static String name(String spec) {
    int colon = spec.indexOf(':');
    return colon < 0 ? spec : spec.substring(0, colon);
  }

  static boolean predicate(String spec, String key, String value) {
    String a = arg(spec);
    return switch (name(spec)) {
      case "vHas" -> value != null && value.contains(a);
      case "kIs" -> key != null && key.equals(a);
      case "vNull" -> value == null;
      default -> throw new IllegalArgumentException("unknown predicate " + spec);
    };
  }

  static String valueMapper(String spec, String key, String value) {
    String a = arg(spec);
    return switch (name(spec)) {
      case "upper" -> value == null ? null : value.toUpperCase();
      case "suffix" -> value == null ? null : value + a;
      case "withKey" -> key + ":" + value;
      default -> throw new IllegalArgumentException("unknown value mapper " + spec);
    };
  }

  static String keySelector(String spec, String key, String value) {
    return switch (name(spec)) {
      case "vFirst" -> first(value);
      case "kFirst" -> first(key);
      case "kSuffix" -> key == null ? null : key + "x";
      default -> throw new IllegalArgumentException("unknown key selector " + spec);
    };
  }

  static KeyValue<String, String> keyValueMapper(String spec, String key, String value) {
    return switch (name(spec)) {
      case "swap" -> KeyValue.pair(value, key);
      case "vFirstKey" -> KeyValue.pair(first(value), key + "/" + value);
      case "kFirstKey" -> KeyValue.pair(first(key), value);
      default -> throw new IllegalArgumentException("unknown key-value mapper " + spec);
    };
  }

  static List<String> valuesOf(String spec, String value) {
    if (!name(spec).equals("chars")) throw new IllegalArgumentException("unknown flat mapper " + spec);
    List<String> out = new ArrayList<>();
    if (value != null) for (char c : value.toCharArray()) out.add(String.valueOf(c));
    return out;
  }

  static List<KeyValue<String, String>> pairsOf(String spec, String key, String value) {
    List<KeyValue<String, String>> out = new ArrayList<>();
    for (String c : valuesOf(spec, value)) out.add(KeyValue.pair(c, key + c));
    return out;
  }

  static String join(String left, String right) {
    return left + "|" + right;
  }

  static String add(String aggregate, String value) {
    return aggregate + "+" + value;
  }

  static String subtract(String aggregate, String value) {
    return aggregate + "-" + value;
  }

  static String merge(String one, String two) {
    return one + "&" + two;
  }
}
