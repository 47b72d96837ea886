use super::m20261123_000001_create_institutions::Institutions;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum WorkUnits {
    Table,
    Id,
    InstitutionId,
    ParentId,
    Name,
    Path,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WorkUnits::Table)
                    .col(big_pk_auto(WorkUnits::Id))
                    .col(big_integer(WorkUnits::InstitutionId))
                    .col(big_integer_null(WorkUnits::ParentId))
                    .col(string(WorkUnits::Name))
                    .col(string(WorkUnits::Path))
                    .col(timestamp_with_time_zone(WorkUnits::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_work_units_institution_id")
                            .from(WorkUnits::Table, WorkUnits::InstitutionId)
                            .to(Institutions::Table, Institutions::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_work_units_parent_id")
                            .from(WorkUnits::Table, WorkUnits::ParentId)
                            .to(WorkUnits::Table, WorkUnits::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_work_units_institution_path")
                    .table(WorkUnits::Table)
                    .col(WorkUnits::InstitutionId)
                    .col(WorkUnits::Path)
                    .to_owned(),
            )
            .await?;
        // Sibling names are unique, so the tree never shows two "Biro Humas" side by side.
        // Top-level units have no parent; an expression index would not port, so the
        // service checks those, and this index holds for every unit with a parent.
        manager
            .create_index(
                Index::create()
                    .name("ux_work_units_parent_name")
                    .table(WorkUnits::Table)
                    .col(WorkUnits::InstitutionId)
                    .col(WorkUnits::ParentId)
                    .col(WorkUnits::Name)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(WorkUnits::Table).to_owned())
            .await
    }
}
