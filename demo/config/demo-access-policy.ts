import { AccessPolicy } from '../../src';

/**
 * The demo's roles: an admin is also a user, and holds `users:read`, the permission to see
 * any user's record (`GET /users/:id` lets the owner through as well).
 */
export function demoAccessPolicy(): AccessPolicy {
  return new AccessPolicy({
    hierarchy: { admin: ['user'] },
    permissions: { user: ['profile:read'], admin: ['users:read'] },
  });
}
