-- :'count' more realistic random orders, created_at from the database default.
--
--   psql "postgresql://USER@HOST:PORT/DB" -v table=ROLL001_orders -v count=100 -f db/insert_random_orders.sql
INSERT INTO :"table" (customer_name, restaurant_name, item, amount, order_status)
SELECT (ARRAY['John Doe', 'Priya Sharma', 'Liam O''Brien', 'Aisha Khan', 'Carlos Mendes', 'Mei Chen',
              'Rahul Verma', 'Sophie Martin', 'Fatima Noor', 'Ethan Brooks', 'Ananya Iyer', 'Grace Lee'])
           [1 + floor(random() * 12)::int],
       r.restaurant,
       r.items[1 + floor(random() * 3)::int],
       round((99 + random() * 600)::numeric, 2),
       (ARRAY['PLACED', 'PLACED', 'PLACED', 'PREPARING', 'DELIVERED', 'CANCELLED'])[1 + floor(random() * 6)::int]
FROM generate_series(1, :'count'::int) AS g
CROSS JOIN LATERAL (
  SELECT * FROM (VALUES
    ('Burger Junction', ARRAY['Veg Burger', 'Chicken Zinger Burger', 'Fries']),
    ('Spice Route',     ARRAY['Paneer Butter Masala', 'Masala Dosa', 'Garlic Naan']),
    ('Pizza Piazza',    ARRAY['Margherita Pizza', 'Farmhouse Pizza', 'Pepperoni Pizza']),
    ('Sushi Corner',    ARRAY['Salmon Nigiri (8 pcs)', 'California Roll', 'Miso Soup']),
    ('Dragon Wok',      ARRAY['Kung Pao Chicken', 'Veg Hakka Noodles', 'Spring Rolls']),
    ('Biryani House',   ARRAY['Hyderabadi Biryani', 'Mutton Biryani', 'Raita'])
  ) AS r(restaurant, items)
  ORDER BY random() + g * 0 LIMIT 1
) AS r;
