// @ts-check
/**
 * Audit log of deploys, syncs, promotions and aborts (issue 8): who did what to which environment of
 * which entity, the image tag before and after, and the result.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('devops_app_deployment_audit', table => {
    table.increments('id').primary();
    table.string('created_at', 32).notNullable();
    table.string('actor', 255).notNullable();
    table.string('entity_ref', 255).notNullable();
    table.string('environment', 64).notNullable();
    table.string('action', 16).notNullable();
    table.string('before', 255).nullable();
    table.string('after', 255).nullable();
    table.string('result', 16).notNullable();
    table.text('message').nullable();
    table.string('commit', 64).nullable();
    table.index(
      ['entity_ref', 'environment', 'id'],
      'devops_app_deployment_audit_entity_idx',
    );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('devops_app_deployment_audit');
};
