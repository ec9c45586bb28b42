// @ts-check
/**
 * Production requests (issue 14): an owner's request to take a version to a production stage, with
 * the promotion check as it stood (evidence, JSON), then a prod deployer's decision (approved and
 * executed with its commit, or failed at execution; rejected) or its expiry. One pending request per
 * entity and environment at a time (the store refuses a second).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('devops_app_production_requests', table => {
    table.increments('id');
    table.string('entity_ref', 255).notNullable();
    table.string('environment', 64).notNullable();
    table.string('version', 128).notNullable();
    table.string('digest', 100).nullable();
    table.string('from_environment', 64).notNullable();
    table.string('requested_by', 255).notNullable();
    table.string('requested_at', 32).notNullable();
    table.text('comment').nullable();
    table.text('evidence').notNullable();
    table.string('status', 16).notNullable();
    table.string('expires_at', 32).notNullable();
    table.string('decided_by', 255).nullable();
    table.string('decided_at', 32).nullable();
    table.text('decision_comment').nullable();
    table.string('commit', 64).nullable();
    table.text('message').nullable();
    table.index(
      ['entity_ref', 'environment', 'status'],
      'devops_app_production_requests_open',
    );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('devops_app_production_requests');
};
