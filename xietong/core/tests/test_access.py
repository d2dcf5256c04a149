import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from xietong.conftest import make_user
from xietong.core import access
from xietong.core.actions import do_create_unit, do_move_unit
from xietong.core.models import Role, Unit, UnitKind


def test_rights_flow_down_the_tree(cluster, owner):
    assert access.role_for(owner, cluster["taiyuan"]) == Role.MANAGER
    assert access.role_for(owner, cluster["hekou"]) == Role.MANAGER


def test_rights_never_flow_sideways(cluster, owner, other_city_user):
    assert access.role_for(owner, cluster["xinzhou"]) is None
    assert access.role_for(other_city_user, cluster["hekou"]) is None


def test_rights_never_flow_up(cluster, town_staff):
    assert access.role_for(town_staff, cluster["hekou"]) == Role.STAFF
    assert access.role_for(town_staff, cluster["gujiao"]) is None
    assert access.role_for(town_staff, cluster["taiyuan"]) is None


def test_office_supervises_every_city(cluster, office_user):
    assert access.is_office(office_user)
    for key in ("taiyuan", "xinzhou", "hekou"):
        assert access.role_for(office_user, cluster[key]) == Role.MANAGER


def test_the_strongest_role_wins(cluster, member):
    from xietong.core.actions import do_set_membership

    do_set_membership(user=member, unit=cluster["hekou"], role=Role.MANAGER)
    access.forget_memberships(member)
    assert access.role_for(member, cluster["hekou"]) == Role.MANAGER
    assert access.role_for(member, cluster["gujiao"]) == Role.STAFF


def test_outsider_sees_no_unit(cluster, outsider):
    assert list(access.visible_units(outsider)) == []
    assert access.role_for(outsider, cluster["taiyuan"]) is None


def test_visible_units_is_the_subtree(cluster, member):
    names = set(access.visible_units(member).values_list("slug", flat=True))
    assert names == {"taiyuan", "gujiao", "hekou"}


def test_units_q_with_min_role(cluster, member):
    assert not access.visible_units(member, Role.MANAGER).exists()


def test_sibling_path_prefix_does_not_leak(db):
    # Unit 1 must not see unit 10 just because "/1" is a prefix of "/10".
    root = do_create_unit(name="root", kind=UnitKind.OFFICE, slug="root")
    units = [do_create_unit(name=f"u{i}", kind=UnitKind.CITY, parent=root, slug=f"u{i}") for i in range(12)]
    user = make_user("u1-staff", units[0])
    visible = set(access.visible_units(user).values_list("pk", flat=True))
    assert visible == {units[0].pk}


def test_get_for_user_hides_what_cannot_be_seen(cluster, member, other_city_user):
    qs = Unit.objects.all()
    assert access.get_for_user(qs, member, unit_field="", pk=cluster["hekou"].pk) == cluster["hekou"]
    with pytest.raises(Http404):
        access.get_for_user(qs, other_city_user, unit_field="", pk=cluster["hekou"].pk)
    with pytest.raises(PermissionDenied):
        access.get_for_user(qs, member, unit_field="", min_role=Role.MANAGER, pk=cluster["hekou"].pk)


def test_moving_a_unit_moves_its_subtree(cluster):
    do_move_unit(cluster["gujiao"], cluster["xinzhou"])
    hekou = Unit.objects.get(slug="hekou")
    assert hekou.is_within(Unit.objects.get(slug="xinzhou"))
    assert not hekou.is_within(Unit.objects.get(slug="taiyuan"))


def test_a_unit_cannot_move_under_itself(cluster):
    with pytest.raises(ValueError):
        do_move_unit(cluster["taiyuan"], cluster["hekou"])


def test_cities_of(cluster, town_staff):
    assert list(access.cities_of(town_staff)) == [cluster["taiyuan"]]
