// Loaded with `node --import` before every test file: the native SSZ hasher, as the node uses.
import { useFastHasher } from "@turnstile/ticket-state";

await useFastHasher();
