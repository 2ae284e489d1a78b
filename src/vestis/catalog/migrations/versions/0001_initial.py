"""initial catalog schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("consent_profile", sa.Boolean(), nullable=False),
        sa.Column("consent_photos", sa.Boolean(), nullable=False),
        sa.Column("gender", sa.String(length=16), nullable=True),
        sa.Column("age", sa.Integer(), nullable=True),
        sa.Column("height_cm", sa.Float(), nullable=True),
        sa.Column("weight_kg", sa.Float(), nullable=True),
        sa.Column("chest_cm", sa.Float(), nullable=True),
        sa.Column("waist_cm", sa.Float(), nullable=True),
        sa.Column("hips_cm", sa.Float(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_type", sa.String(length=16), nullable=False),
        sa.Column("size", sa.String(length=16), nullable=True),
        sa.Column("fit_feedback", sa.String(length=8), nullable=True),
        sa.Column("price", sa.Float(), nullable=True),
        sa.Column("session_id", sa.String(length=128), nullable=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.CheckConstraint(
            "event_type IN ('view', 'add_to_cart', 'purchase', 'return')", name="ck_event_type"
        ),
        sa.CheckConstraint(
            "fit_feedback IS NULL OR fit_feedback IN ('small', 'fit', 'large')",
            name="ck_fit_feedback",
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "item_id", "timestamp", "event_type", name="uq_event"),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_timestamp"), ["timestamp"], unique=False)
        batch_op.create_index("ix_events_user_ts", ["user_id", "timestamp"], unique=False)

    op.create_table(
        "products",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("brand", sa.String(length=120), nullable=True),
        sa.Column("product_type", sa.String(length=300), nullable=True),
        sa.Column("google_product_category", sa.String(length=300), nullable=True),
        sa.Column("color", sa.String(length=100), nullable=True),
        sa.Column("pattern", sa.String(length=100), nullable=True),
        sa.Column("material", sa.String(length=200), nullable=True),
        sa.Column("gender", sa.String(length=16), nullable=True),
        sa.Column("age_group", sa.String(length=16), nullable=True),
        sa.Column("size", sa.JSON(), nullable=False),
        sa.Column("size_system", sa.String(length=8), nullable=True),
        sa.Column("price", sa.Float(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("availability", sa.String(length=20), nullable=False),
        sa.Column("image_link", sa.String(length=2000), nullable=True),
        sa.Column("additional_image_link", sa.JSON(), nullable=False),
        sa.Column("link", sa.String(length=2000), nullable=True),
        sa.Column("image_path", sa.String(length=500), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_products_brand"), ["brand"], unique=False)
        batch_op.create_index(batch_op.f("ix_products_color"), ["color"], unique=False)
        batch_op.create_index(batch_op.f("ix_products_gender"), ["gender"], unique=False)
        batch_op.create_index(batch_op.f("ix_products_price"), ["price"], unique=False)
        batch_op.create_index(batch_op.f("ix_products_product_type"), ["product_type"], unique=False)

    op.create_table(
        "size_charts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("brand", sa.String(length=120), nullable=False),
        sa.Column("product_type", sa.String(length=300), nullable=False),
        sa.Column("size", sa.String(length=16), nullable=False),
        sa.Column("measurement", sa.String(length=32), nullable=False),
        sa.Column("min_cm", sa.Float(), nullable=False),
        sa.Column("max_cm", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("brand", "product_type", "size", "measurement", name="uq_size_chart"),
    )


def downgrade() -> None:
    op.drop_table("size_charts")
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_products_product_type"))
        batch_op.drop_index(batch_op.f("ix_products_price"))
        batch_op.drop_index(batch_op.f("ix_products_gender"))
        batch_op.drop_index(batch_op.f("ix_products_color"))
        batch_op.drop_index(batch_op.f("ix_products_brand"))

    op.drop_table("products")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_user_ts")
        batch_op.drop_index(batch_op.f("ix_events_timestamp"))
        batch_op.drop_index(batch_op.f("ix_events_item_id"))

    op.drop_table("events")
    op.drop_table("customers")
