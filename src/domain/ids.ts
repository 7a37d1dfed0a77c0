import { v7 } from 'uuid';

/**
 * Ids of the records written in volume — users, groups, audit entries — are UUIDv7 (RFC 9562):
 * still 122 bits of uniqueness in the standard UUID text form, but ordered by creation time
 * (monotonic within a millisecond). Every index keyed by such an id — a user's primary key, a
 * group's member list, the member index, the audit log's id and target indexes — then receives
 * new keys at its right-hand end instead of on a random page: a +1,000-member PATCH or a bulk
 * load touches a handful of index pages instead of one per key. Secrets, token ids and other
 * identifiers that are not index keys in bulk stay random (crypto.randomUUID).
 */
export const newId = (): string => v7();
